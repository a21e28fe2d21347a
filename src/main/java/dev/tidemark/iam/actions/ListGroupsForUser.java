package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListGroupsForUser: the groups a user belongs to, paged. */
public final class ListGroupsForUser implements QueryAction {
  private final IdentityStore store;

  public ListGroupsForUser(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListGroupsForUser";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    Params.Page<IdentityStore.Group> page =
        Params.page(p, store.groupsOf(Params.required(p, "UserName")), IdentityStore.Group::name);
    x.open("Groups");
    for (IdentityStore.Group g : page.items()) {
      x.open("member");
      Params.group(x, store, g);
      x.close("member");
    }
    x.close("Groups");
    page.end(x);
    return true;
  }
}
