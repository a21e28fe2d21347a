package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeleteAccessKey: Deletes an access key. */
public final class DeleteAccessKey implements QueryAction {
  private final IdentityStore store;

  public DeleteAccessKey(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeleteAccessKey";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deleteAccessKey(Params.userOrCaller(p, caller), Params.required(p, "AccessKeyId"));
    return false;
  }
}
