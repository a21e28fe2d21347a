package dev.tidemark.managed;

import dev.tidemark.auth.Check;
import java.util.List;

/**
 * Whether a job may run under the IAM role it names ({@code IamRoleArn}): with {@code --auth iam}
 * the role must exist, trust {@code backup.amazonaws.com}, and allow what the job does ({@link
 * BackupRoles}); with {@code --auth open} there are no roles and the ARN is only recorded.
 */
public interface JobRoles {
  /** Every role is accepted: the ARN is recorded on the job and the point, nothing more. */
  JobRoles RECORDED_ONLY = (role, job, needs) -> null;

  /**
   * Why a job cannot run under {@code roleArn}, as the job's StatusMessage, or null when it may.
   *
   * @param job the job's kind as AWS's messages name it: {@code backup}, {@code restore} or {@code
   *     copy}
   * @param needs the actions the job performs, each on its resource
   */
  String refusal(String roleArn, String job, List<Check> needs);
}
