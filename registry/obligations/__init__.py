"""What the rules require of each AI system and of the employer: material changes, APV reassessments,
compliance findings (rules/), the written account's data and the organization's overview."""
