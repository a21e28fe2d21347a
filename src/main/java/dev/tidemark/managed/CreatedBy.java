package dev.tidemark.managed;

/** The backup plan version and rule that scheduled a job or made a recovery point. */
public record CreatedBy(
    String backupPlanId,
    String backupPlanArn,
    String backupPlanName,
    String backupPlanVersion,
    String backupRuleId,
    String backupRuleName,
    String backupRuleCron,
    String backupRuleTimezone) {}
