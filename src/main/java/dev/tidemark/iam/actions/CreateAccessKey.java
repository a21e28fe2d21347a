package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreateAccessKey: Creates an access key; its secret is shown only in this answer. */
public final class CreateAccessKey implements QueryAction {
  private final IdentityStore store;

  public CreateAccessKey(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreateAccessKey";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String name = Params.userOrCaller(p, caller);
    IdentityStore.NewKey k = name == null ? store.createRootKey() : store.createAccessKey(name);
    x.open("AccessKey");
    Params.accessKey(x, name, k.key());
    x.text("SecretAccessKey", k.secret());
    x.close("AccessKey");
    return true;
  }
}
