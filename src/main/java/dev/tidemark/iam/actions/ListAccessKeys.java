package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM ListAccessKeys: Lists a user's access keys (the caller's without UserName), without secrets.
 */
public final class ListAccessKeys implements QueryAction {
  private final IdentityStore store;

  public ListAccessKeys(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListAccessKeys";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String name = Params.userOrCaller(p, caller);
    // Oldest first; the page key grows along that order.
    Params.Page<IdentityStore.AccessKey> page =
        Params.page(
            p, store.accessKeys(name), k -> String.format("%019d", k.createdMillis()) + k.id());
    x.open("AccessKeyMetadata");
    for (IdentityStore.AccessKey k : page.items()) {
      x.open("member");
      Params.accessKey(x, name, k);
      x.close("member");
    }
    x.close("AccessKeyMetadata");
    page.end(x);
    x.text("UserName", name);
    return true;
  }
}
