package dev.tidemark.auth;

/**
 * Which resources an admitted caller may also see, for operations that answer a list filtered per
 * resource (the console's table summaries): the gate admits the operation as a whole, and the
 * operation then leaves out every resource whose check this refuses, rather than refusing the whole
 * list for one table the caller may not describe.
 */
@FunctionalInterface
public interface Visibility {
  /**
   * @param request the admitted request (its source address and transport are condition keys)
   * @param caller the identity the gate admitted for it
   * @return whether the caller's policies allow the check, as the gate would decide it
   */
  boolean allows(SignedRequest request, CallerIdentity caller, Check check);

  /** Open mode: anyone may see everything. */
  static Visibility everything() {
    return (request, caller, check) -> true;
  }
}
