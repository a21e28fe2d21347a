package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListGroups: lists the groups by name, paged. */
public final class ListGroups implements QueryAction {
  private final IdentityStore store;

  public ListGroups(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListGroups";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String prefix = Params.optional(p, "PathPrefix");
    Params.Page<IdentityStore.Group> page =
        Params.page(
            p,
            store.groups().stream()
                .filter(g -> prefix == null || g.path().startsWith(prefix))
                .toList(),
            IdentityStore.Group::name);
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
