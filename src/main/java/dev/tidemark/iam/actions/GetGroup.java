package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetGroup: describes a group and lists its members, paged. */
public final class GetGroup implements QueryAction {
  private final IdentityStore store;

  public GetGroup(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetGroup";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.Group g = store.group(Params.required(p, "GroupName"));
    Params.Page<IdentityStore.User> page =
        Params.page(p, store.membersOf(g.name()), IdentityStore.User::name);
    x.open("Group");
    Params.group(x, store, g);
    x.close("Group").open("Users");
    for (IdentityStore.User u : page.items()) {
      x.open("member");
      Params.user(x, store, u);
      x.close("member");
    }
    x.close("Users");
    page.end(x);
    return true;
  }
}
