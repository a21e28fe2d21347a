package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetUser: Describes a user; without UserName, the caller. */
public final class GetUser implements QueryAction {
  private final IdentityStore store;

  public GetUser(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetUser";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String name = Params.userOrCaller(p, caller);
    x.open("User");
    if (name == null) {
      // The account root has no user record; IAM describes it by its ARN and account id.
      String account = store.account();
      x.text("UserId", account).text("Arn", "arn:aws:iam::" + account + ":root");
    } else {
      Params.user(x, store, store.user(name));
    }
    x.close("User");
    return true;
  }
}
