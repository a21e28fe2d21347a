package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM ListPolicies: Lists the customer-managed policies, paged (AWS-managed ones do not exist
 * here).
 */
public final class ListPolicies implements QueryAction {
  private final IdentityStore store;

  public ListPolicies(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListPolicies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String scope = Params.optional(p, "Scope");
    boolean attachedOnly = "true".equals(Params.optional(p, "OnlyAttached"));
    String prefix = Params.optional(p, "PathPrefix");
    Params.Page<IdentityStore.ManagedPolicy> page =
        Params.page(
            p,
            "AWS".equals(scope)
                ? java.util.List.of()
                : store.policies().stream()
                    .filter(m -> !attachedOnly || store.attachmentCount(store.policyArn(m)) > 0)
                    .filter(m -> prefix == null || m.path().startsWith(prefix))
                    .toList(),
            IdentityStore.ManagedPolicy::name);
    x.open("Policies");
    for (IdentityStore.ManagedPolicy m : page.items()) {
      x.open("member");
      Params.policy(x, store, m);
      x.close("member");
    }
    x.close("Policies");
    page.end(x);
    return true;
  }
}
