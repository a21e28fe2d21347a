package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM UpdateAccessKey: Activates or deactivates a key; an inactive key is refused from the next
 * request on.
 */
public final class UpdateAccessKey implements QueryAction {
  private final IdentityStore store;

  public UpdateAccessKey(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:UpdateAccessKey";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.updateAccessKey(
        Params.userOrCaller(p, caller),
        Params.required(p, "AccessKeyId"),
        Params.required(p, "Status"));
    return false;
  }
}
