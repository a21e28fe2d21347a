package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListRoles: lists the roles by name, paged. */
public final class ListRoles implements QueryAction {
  private final IdentityStore store;

  public ListRoles(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListRoles";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String prefix = Params.optional(p, "PathPrefix");
    Params.Page<IdentityStore.Role> page =
        Params.page(
            p,
            store.roles().stream()
                .filter(r -> prefix == null || r.path().startsWith(prefix))
                .toList(),
            IdentityStore.Role::name);
    x.open("Roles");
    for (IdentityStore.Role r : page.items()) {
      x.open("member");
      Params.role(x, store, r);
      x.close("member");
    }
    x.close("Roles");
    page.end(x);
    return true;
  }
}
