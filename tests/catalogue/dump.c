/*
 * Print the whole catalogue through policy/catalogue.h, one line per
 * service and per action, for tools/catalogue.py verify to compare with
 * the package itself: the encoder and the reader checked end to end.
 *
 *	S <TAB> prefix <TAB> name <TAB> rcp
 *	A <TAB> prefix <TAB> Action <TAB> level bits <TAB> rtype/required/key,key;... <TAB> key,key
 */
#include <stdio.h>

#include "policy/catalogue.h"

int
main(void)
{
	int s, a, first, end, k, j, req;
	const char *rt, *key;

	for (s = 0; s < pcat_service_count(); s++) {
		printf("S\t%s\t%s\t%d\n", pcat_service_prefix(s), pcat_service_name(s),
		    pcat_service_rcp(s));
		pcat_service_range(s, &first, &end);
		for (a = first; a < end; a++) {
			printf("A\t%s\t%s\t%u\t", pcat_service_prefix(s), pcat_action_name(a),
			    pcat_action_levels(a));
			for (k = 0; (rt = pcat_action_rtype(a, k, &req)) != NULL; k++) {
				printf("%s%s/%d/", k ? ";" : "", rt, req);
				for (j = 0; (key = pcat_action_rtype_key(a, k, j)) != NULL; j++)
					printf("%s%s", j ? "," : "", key);
			}
			putchar('\t');
			for (j = 0; (key = pcat_action_key(a, j)) != NULL; j++)
				printf("%s%s", j ? "," : "", key);
			putchar('\n');
		}
	}
	return ferror(stdout) ? 1 : 0;
}
