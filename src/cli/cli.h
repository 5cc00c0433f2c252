/*
 * cli.h — the `acd` command line: one function per verb, each taking the arguments after its
 * verb words. Verbs print JSON on stdout (for scripts) and one-line errors on stderr, and
 * return the process exit status (0 ok, 1 check failed, 2 bad usage or input, 3 refused).
 */
#ifndef ACD_CLI_H
#define ACD_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Prints v as one line of JSON on stdout, releases it, and returns 0. */
int cli_print_json(json_t *v);

int cmd_keygen(int argc, char **argv);
int cmd_approval_sign(int argc, char **argv);
int cmd_approval_verify(int argc, char **argv);
int cmd_prefixes_check(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_user_add(int argc, char **argv);
int cmd_audit_verify(int argc, char **argv);
int cmd_sensor_add(int argc, char **argv);
int cmd_keys_rotate(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_stats_diet(int argc, char **argv);

struct db;
struct keys;
/* Opens the store (cli_db_url) and its keys (cli_keys_dir), creating missing keys when asked;
 * prints the reason and returns false on failure (cmd_store.c). */
bool open_store(const char *verb, bool create_keys, struct db **db, struct keys *k);

/* `--db URL` and `--keys DIR`, taken from anywhere on the command line (Contract 5); the URL
 * defaults to sqlite:acd.db, the key directory to NULL (keys.h's default for the URL). */
const char *cli_db_url(void);
const char *cli_keys_dir(void);

/* The JSON API verbs (cmd_http.c). cmd_http runs the verb argv names and returns its exit
 * status with *matched set, or sets *matched to 0 when argv names none of them. */
int cmd_http(int argc, char **argv, int *matched);
void cmd_http_usage(FILE *out);

/* `--server URL` or $ACD_SERVER (NULL when neither). */
const char *cli_server_url(void);
/* The bearer token: `--token`, else `--token-file`, else $ACD_TOKEN, as a copy the caller
 * wipes and frees (*out NULL when none is given); false when the token file is unreadable. */
bool cli_token(char **out);

#endif
