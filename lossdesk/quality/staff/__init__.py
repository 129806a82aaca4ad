"""Staff quality (品质管理, issue 15 §3): the misconduct register with its point scale and
appeals, running points per half-year with thresholds and their consequences, the half-yearly
conduct evaluation, complaints, whistle-blower reports and each person's credit record
(docs/quality.md, "Staff quality")."""
