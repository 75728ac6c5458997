/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoalctl: the control shell.  With a command (`shoalctl status`) it runs
 * that one and exits with its result; without, it is interactive, as
 * BroControl was: a banner, the prompt "[ShoalControl] > ", line editing,
 * a history kept across sessions in the spool, and tab completion of
 * commands and of what each command takes (node and group names, its own
 * words, file names).  Every command is a plugin; this file only reads
 * lines and hands them to the shell's core.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include <shoal/plugin.h>

#include "lib/diag.h"
#include "shell/shell.h"

#define SHOALCTL_PROMPT "[ShoalControl] > "
#define SHOALCTL_MAX_ARGS 256
#define SHOALCTL_HISTORY_MAX 1000

static struct shoal_shell shoalctl_shell;

static void shoalctl_usage(FILE *out)
{
    fputs("usage: shoalctl [--base DIR] [COMMAND [ARG...]]\n"
          "\n"
          "  --base DIR     the installation's etc/, spool/ and logs/ are under DIR\n"
          "                 (default: the folders chosen at configure time;\n"
          "                 also $SHOALCTL_BASE)\n"
          "  -v, --verbose  more diagnostics\n"
          "  -V, --version  print the version\n"
          "  -h, --help     this text\n"
          "\n"
          "Without a command, an interactive shell; \"help\" lists the commands.\n",
          out);
}

/*
 * Split a command line into words: blanks separate them, single or double
 * quotes group (a quote of the other kind inside stays), a backslash
 * escapes the next character outside single quotes.  The words point into
 * `line`, which is rewritten.  Returns their number, or -EINVAL for an
 * unfinished quote or too many words.
 */
static int shoalctl_split(char *line, char **argv, int max)
{
    char *in = line;
    char *out = line;
    int argc = 0;

    for (;;) {
        char quote = 0;
        bool word = false;

        while (*in == ' ' || *in == '\t') {
            in++;
        }
        if (*in == '\0' || *in == '\n') {
            return argc;
        }
        if (argc == max - 1) {
            return -EINVAL;
        }
        argv[argc] = out;
        while (*in != '\0' && *in != '\n' && (quote != 0 || (*in != ' ' && *in != '\t'))) {
            if (quote == 0 && (*in == '\'' || *in == '"')) {
                quote = *in++; /* even "" is a word */
            } else if (quote != 0 && *in == quote) {
                quote = 0;
                in++;
            } else if (*in == '\\' && quote != '\'' && in[1] != '\0') {
                *out++ = in[1];
                in += 2;
            } else {
                *out++ = *in++;
            }
            word = true;
        }
        if (quote != 0) {
            return -EINVAL;
        }
        bool end = *in == '\0' || *in == '\n';
        *out++ = '\0';
        argc += word;
        argv[argc] = NULL;
        if (end) {
            return argc;
        }
        in++;
    }
}

/* ---- completion ---- */

/* The words completion offers for the word being typed: filled per line. */
static const char **shoalctl_words;
static size_t shoalctl_nwords;

static void shoalctl_offer(const char *w)
{
    const char **v = realloc(shoalctl_words, (shoalctl_nwords + 1) * sizeof(*v));

    if (v != NULL) {
        shoalctl_words = v;
        v[shoalctl_nwords++] = w;
    }
}

static char *shoalctl_next_word(const char *text, int state)
{
    static size_t i;
    size_t len = strlen(text);

    if (state == 0) {
        i = 0;
    }
    while (i < shoalctl_nwords) {
        const char *w = shoalctl_words[i++];
        if (strncmp(w, text, len) == 0) {
            return strdup(w);
        }
    }
    return NULL;
}

/* Offer what the command (the line's first word) takes after its name. */
static bool shoalctl_offer_args(const char *cmd)
{
    static const char *const groups[] = {"all", "manager", "proxies", "workers"};
    const struct shoal_command_ops *ops = shoal_shell_find(&shoalctl_shell, cmd, NULL);

    if (ops == NULL) {
        return false;
    }
    for (size_t i = 0; ops->words != NULL && ops->words[i] != NULL; i++) {
        shoalctl_offer(ops->words[i]);
    }
    if (ops->complete & SHOAL_CMD_COMPLETE_NODES) {
        for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
            shoalctl_offer(groups[i]);
        }
        for (size_t i = 0; i < shoalctl_shell.n_nodes; i++) {
            shoalctl_offer(shoalctl_shell.nodes[i].name);
        }
    }
    return (ops->complete & SHOAL_CMD_COMPLETE_FILES) != 0;
}

static char **shoalctl_complete(const char *text, int start, int end)
{
    char first[64] = "";
    const struct shoal_command_ops *ops;
    bool files = false;

    (void)end;
    shoalctl_nwords = 0;
    sscanf(rl_line_buffer, "%63s", first);
    if (start == 0 || strspn(rl_line_buffer, " \t") >= (size_t)start) {
        for (size_t i = 0; (ops = shoal_shell_command(&shoalctl_shell, i)) != NULL; i++) {
            shoalctl_offer(ops->name);
            for (size_t a = 0; ops->aliases != NULL && ops->aliases[a] != NULL; a++) {
                shoalctl_offer(ops->aliases[a]);
            }
        }
    } else {
        files = shoalctl_offer_args(first);
    }
    rl_attempted_completion_over = !files;
    return rl_completion_matches(text, shoalctl_next_word);
}

/* ---- the two modes ---- */

static int shoalctl_line(char *line)
{
    char *argv[SHOALCTL_MAX_ARGS];
    int argc = shoalctl_split(line, argv, SHOALCTL_MAX_ARGS);

    if (argc < 0) {
        fprintf(stderr, "cannot read that line: an unfinished quote, or too many words\n");
        return 2;
    }
    return shoal_shell_run(&shoalctl_shell, argc, argv);
}

/* Commands from a pipe or file, one per line, echoed after the prompt as
 * a terminal would show them.  Returns the last failure's result, else 0. */
static int shoalctl_script(FILE *in)
{
    char buf[8192];
    int rc = 0;

    while (!shoalctl_shell.done && fgets(buf, sizeof(buf), in) != NULL) {
        int r;

        printf("%s%s", SHOALCTL_PROMPT, buf);
        r = shoalctl_line(buf);
        rc = r != 0 ? r : rc;
    }
    return rc;
}

static int shoalctl_interactive(void)
{
    char history[PATH_MAX + 16];
    char *line;

    if (shoal_path_join(history, sizeof(history), shoalctl_shell.paths.spool, "shoalctl.history") <
        0) {
        history[0] = '\0';
    }
    printf("\nWelcome to ShoalControl %s\n\nType \"help\" for help.\n\n", PACKAGE_VERSION);
    using_history();
    stifle_history(SHOALCTL_HISTORY_MAX);
    read_history(history);
    rl_attempted_completion_function = shoalctl_complete;
    while ((line = readline(SHOALCTL_PROMPT)) != NULL) {
        char *p = line + strspn(line, " \t");

        if (*p != '\0') {
            add_history(p);
            if (write_history(history) != 0) {
                /* a history that cannot be kept is no reason to stop */
            }
        }
        shoalctl_line(p);
        free(line);
        if (shoalctl_shell.done) {
            break;
        }
    }
    if (line == NULL) {
        putchar('\n');
    }
    free(shoalctl_words);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"base", required_argument, NULL, 'b'},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *base = getenv("SHOALCTL_BASE");
    int verbose = 0;
    int ch;
    int rc;

    while ((ch = getopt_long(argc, argv, "+vVh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            base = optarg;
            break;
        case 'v':
            verbose++;
            break;
        case 'V':
            printf("shoalctl %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, SHOAL_ABI_MAJOR,
                   SHOAL_ABI_MINOR);
            return 0;
        case 'h':
            shoalctl_usage(stdout);
            return 0;
        default:
            shoalctl_usage(stderr);
            return 2;
        }
    }
    shoal_diag_set_level(verbose >= 2   ? SHOAL_LOG_DEBUG
                         : verbose == 1 ? SHOAL_LOG_INFO
                                        : SHOAL_LOG_WARNING);
    if (shoal_shell_open(&shoalctl_shell, base) < 0) {
        shoal_shell_close(&shoalctl_shell);
        return 2;
    }
    if (optind < argc) {
        rc = shoal_shell_run(&shoalctl_shell, argc - optind, argv + optind);
    } else if (isatty(STDIN_FILENO)) {
        rc = shoalctl_interactive();
    } else {
        rc = shoalctl_script(stdin);
    }
    shoal_shell_close(&shoalctl_shell);
    return rc;
}
