/*
 * The output formats, one row each (an X-macro list, as jq's opcode_list.h,
 * so that the enum, the names and the backends cannot drift apart).  A new
 * format is its backend file (report/NAME.c defining report_NAME, see
 * report/backend.h) plus one row here; check, report and run read the rows
 * (report_formats[] in report.h) and need no edit.
 *
 * X(ENUM, name, mode, renders, commands, run_file, help)
 *   ENUM      REPORT_ENUM in enum report_fmt
 *   name      check --format NAME, report --NAME FILE; the backend is report_NAME
 *   mode      file mode before the umask: 0600 for what holds the snapshots'
 *             findings and evidence (private like the snapshots), else 0644
 *   renders   REPORT_ONE (one account), REPORT_MANY (the comparison), or both
 *   commands  REPORT_IN_CHECK (check --format), REPORT_IN_REPORT (report
 *             --NAME FILE), REPORT_IN_RUN (run writes run_file, and with
 *             REPORT_IN_RUN_EACH accounts/ID.NAME too; with
 *             REPORT_IN_RUN_ASKED only when its run option asks: run
 *             --ocsf, run --security-hub for ASFF)
 *   run_file  run: the file in the run's folder, or NULL
 *   help      one line for --help and the README
 */
#ifndef REPORT_FORMATS_H
#define REPORT_FORMATS_H

#define REPORT_FORMAT_LIST(X)						\
	X(TEXT, text, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_CHECK, NULL,					\
	    "a readable summary for a terminal")			\
	X(JSON, json, 0600, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_CHECK | REPORT_IN_REPORT | REPORT_IN_RUN, "results.json", \
	    "the results document (docs/results-format.md)")		\
	X(CSV, csv, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_CHECK | REPORT_IN_REPORT | REPORT_IN_RUN, "findings.csv", \
	    "one row per finding")					\
	X(HTML, html, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_REPORT | REPORT_IN_RUN | REPORT_IN_RUN_EACH, "summary.html", \
	    "the self-contained HTML report")				\
	X(PDF, pdf, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_REPORT | REPORT_IN_RUN | REPORT_IN_RUN_EACH, "summary.pdf", \
	    "the PDF report")						\
	X(DUMP, dump, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_REPORT, NULL,					\
	    "a plain-text dump of the laid-out report (for tests)")	\
	X(JUNIT, junit, 0644, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_CHECK | REPORT_IN_REPORT, NULL,			\
	    "JUnit XML: a test case per control per account, for CI")	\
	X(ASFF, asff, 0600, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_REPORT | REPORT_IN_RUN | REPORT_IN_RUN_ASKED,	\
	    "findings.asff.json",					\
	    "the AWS Security Finding Format, for Security Hub (--region)") \
	X(OCSF, ocsf, 0600, REPORT_ONE | REPORT_MANY,			\
	    REPORT_IN_CHECK | REPORT_IN_REPORT | REPORT_IN_RUN |		\
	    REPORT_IN_RUN_ASKED, "findings.ocsf.json",			\
	    "OCSF 1.3.0 Compliance Finding events (class 2003), as Prowler's")

#endif
