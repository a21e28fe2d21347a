package dev.tidemark.awsbackup;

/**
 * The filters every List*Jobs operation shares: resource type, account, creation and completion
 * time ranges (exclusive bounds; a completion bound leaves out jobs that have not finished).
 */
public record JobFilters(
    String resourceType,
    String accountId,
    String account,
    Long createdBefore,
    Long createdAfter,
    Long completeBefore,
    Long completeAfter) {

  public static JobFilters of(Call call, String account) {
    return new JobFilters(
        call.query("resourceType"),
        call.query("accountId"),
        account,
        call.queryTime("createdBefore"),
        call.queryTime("createdAfter"),
        call.queryTime("completeBefore"),
        call.queryTime("completeAfter"));
  }

  public boolean matches(long creationMillis, Long completionMillis) {
    return (resourceType == null || resourceType.equals("DynamoDB"))
        && (accountId == null || accountId.equals(account))
        && (createdBefore == null || creationMillis < createdBefore)
        && (createdAfter == null || creationMillis > createdAfter)
        && (completeBefore == null && completeAfter == null
            || completionMillis != null
                && (completeAfter == null || completionMillis > completeAfter)
                && (completeBefore == null || completionMillis < completeBefore));
  }
}
