/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-time: runs one command and writes what `make bench` needs to know
 * about it into a file: wall-clock seconds (CLOCK_MONOTONIC, nanosecond
 * resolution, unlike /usr/bin/time's 10 ms), user and system CPU seconds and
 * the peak resident set size in KiB, all from wait4()'s rusage of that child
 * alone.  The command's stdin, stdout and stderr are left alone.  The line
 * written is "wall=S user=S sys=S maxrss_kb=K status=N" where N is the exit
 * status, or 128 + signal number when the command was killed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double bench_tv(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double bench_ts(const struct timespec *ts)
{
    return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    const char *out;
    FILE *f;
    pid_t pid;
    int status, code;

    if (argc < 5 || strcmp(argv[1], "-o") != 0 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: bench-time -o FILE -- COMMAND [ARG...]\n"
                        "Runs COMMAND and writes wall=S user=S sys=S maxrss_kb=K status=N "
                        "into FILE.\n");
        return 2;
    }
    out = argv[2];
    f = fopen(out, "w");
    if (f == NULL) {
        fprintf(stderr, "bench-time: %s: fopen: %s\n", out, strerror(errno));
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench-time: fork: %s\n", strerror(errno));
        fclose(f);
        return 2;
    }
    if (pid == 0) {
        fclose(f);
        execvp(argv[4], &argv[4]);
        fprintf(stderr, "bench-time: %s: exec: %s\n", argv[4], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "bench-time: wait4: %s\n", strerror(errno));
            fclose(f);
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(f, "wall=%.6f user=%.6f sys=%.6f maxrss_kb=%ld status=%d\n",
            bench_ts(&t1) - bench_ts(&t0), bench_tv(&ru.ru_utime), bench_tv(&ru.ru_stime),
            ru.ru_maxrss, code);
    if (fclose(f) != 0) {
        fprintf(stderr, "bench-time: %s: write: %s\n", out, strerror(errno));
        return 2;
    }
    return code;
}
