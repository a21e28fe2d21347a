package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListPolicyVersions: a managed policy's versions, newest first, paged. */
public final class ListPolicyVersions implements QueryAction {
  private final IdentityStore store;

  public ListPolicyVersions(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListPolicyVersions";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.ManagedPolicy m = store.policy(Params.required(p, "PolicyArn"));
    // Newest first, and the page key must grow along the list: the inverted version number.
    Params.Page<IdentityStore.PolicyVersion> page =
        Params.page(
            p,
            m.versions(),
            v -> String.format("%010d", Integer.MAX_VALUE - Integer.parseInt(v.id().substring(1))));
    x.open("Versions");
    for (IdentityStore.PolicyVersion v : page.items()) {
      x.open("member")
          .text("VersionId", v.id())
          .text("IsDefaultVersion", Boolean.toString(v.id().equals(m.defaultVersion())))
          .date("CreateDate", v.createdMillis())
          .close("member");
    }
    x.close("Versions");
    page.end(x);
    return true;
  }
}
