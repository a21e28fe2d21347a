package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** STS GetCallerIdentity: STS: who signed this request. Needs no permission, as on AWS. */
public final class GetCallerIdentity implements QueryAction {
  private final IdentityStore store;

  public GetCallerIdentity(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "sts:GetCallerIdentity";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String account = store.account();
    dev.tidemark.auth.Principal who = caller.principal();
    x.text("Arn", who.arn()).text("UserId", who.userId()).text("Account", account);
    return true;
  }
}
