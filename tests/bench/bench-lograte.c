/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-lograte: log records per second from two cluster workers to the
 * manager, and a raw ZeroMQ PUSH/PULL of the same bytes to compare with
 * (the lograte part of `make bench`, see tests/bench/README.md).  One
 * invocation is one round of one mode; run-bench.sh interleaves the modes
 * over BENCH_ROUNDS rounds and takes the medians.
 *
 *   bench-lograte [-n N] [-b B] shoal SHOAL DIR
 *       The real path.  In DIR (empty, removed by the caller) it makes a
 *       layout of a manager and two workers with `SHOAL --gen-layout`,
 *       starts `SHOAL --node manager --layout DIR/layout.cfg`, which writes
 *       conn.log into its workdir, and forks two worker processes.  Each
 *       builds the real worker link (shoal_worker_link_new/start/poll/finish, a
 *       logger whose sink it installs), first gets one warm-up record of
 *       another stream acknowledged (so the CURVE handshake is done), then,
 *       at a common start signal, writes N conn.log records through
 *       shoal_log_write() as the conn analyzer does, calls the poll hook
 *       every LR_POLL_EVERY records (the node polls between rounds of 4096
 *       packets) and the finish hook, which returns at the last
 *       acknowledgement.  The time is from the first record of either
 *       worker to the last acknowledgement of both.  Then the manager is
 *       stopped with SIGTERM and its conn.log must hold exactly 2*N rows
 *       whose orig_pkts column adds up to what the workers sent: anything
 *       else fails the run.
 *   bench-lograte [-n N] [-b B] raw | raw-curve
 *       The baseline.  A PULL receiver process and two PUSH sender
 *       processes on tcp://127.0.0.1 (raw-curve: with CURVE, no ZAP).  Each
 *       sender first encodes the LOG_BATCH bodies the worker link would
 *       send for the same records (same encoder, same B records a batch, so
 *       the same count and sizes), untimed; then, at the common start
 *       signal, sends them as [topic "log"][body] messages.  The receiver
 *       only receives: no decode, no write.  The time is from the first
 *       send to the receipt of the last message.  Both tune malloc as the
 *       real path's processes do (shoal_zsec_tune_malloc).
 *
 * BENCH_LOGRATE_JOURNAL=0 in the environment: the workers keep no log
 * journal (cluster.journal = false).
 *
 * Output: one line on stdout,
 *   mode=M records=R rows=R batches=B bytes=Y wall=S rate=R/s
 *   cpu_send=S cpu_recv=S
 * where cpu_send is the CPU time of both senders (user + system, all their
 * threads) over the timed part and cpu_recv the whole CPU time of the
 * manager or the receiver process.  Progress goes to stderr on a terminal.
 * Exit status 0, or 1 with the reason on stderr (naming the file, node or
 * endpoint concerned).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <zmq.h>

#include "engine/conn.h"
#include "lib/fsutil.h"
#include "cluster/layout.h"
#include "framework/log.h"
#include "cluster/wire.h"
#include "cluster/worker_link.h"
#include "cluster/zsec.h"

#define LR_WORKERS 2
#define LR_POLL_EVERY 4096
#define LR_DEFAULT_RECORDS 1000000
#define LR_DEFAULT_BATCH 1024
#define LR_READY_TIMEOUT 30.0 /* s: warm-up (handshake, first ack) */
#define LR_RUN_TIMEOUT 600.0  /* s: the timed part */
#define LR_ACK_TIMEOUT 60.0   /* s: the worker link's wait at the end */

enum lr_mode {
    LR_SHOAL,
    LR_RAW,
    LR_RAW_CURVE,
};

static const char *const lr_mode_names[] = {"shoal", "raw", "raw-curve"};

#define LR_ORIG_PKTS 16 /* index of orig_pkts */

static const struct shoal_field lr_warm_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"note", SHOAL_T_STRING, 0},
};

/* What a child process reports to the parent through its pipe. */
struct lr_report {
    int status; /* 0 ok, 1 failed (the child printed why) */
    double t_start, t_end;
    uint64_t records;
    uint64_t batches;
    uint64_t bytes;
    uint64_t messages;
    uint64_t orig_pkts; /* sum of the orig_pkts column sent */
    uint64_t resends;
    double cpu;
};

/* Counters the children update for the parent's progress line. */
struct lr_shared {
    uint64_t done[LR_WORKERS]; /* records written / messages sent */
    uint64_t received;         /* raw: messages received */
};

struct lr_child {
    pid_t pid;
    int to;   /* parent -> child */
    int from; /* child -> parent */
};

struct lr_opts {
    enum lr_mode mode;
    uint64_t records; /* per worker */
    size_t batch;
    const char *shoal;
    const char *dir;
    bool progress;
};

static struct lr_shared *lr_sh;

/* ---- small helpers ---- */

static double lr_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double lr_cpu_self(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void lr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void lr_err(const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "bench-lograte: error: %s\n", line);
}

static int lr_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read exactly n bytes; 0, or -1 on EOF or error. */
static int lr_read_all(int fd, void *p, size_t n)
{
    char *c = p;

    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Wait until fd is readable or `deadline` (monotonic) passes; while
 * waiting, fail when process `watch` (0: none) has exited.  0 readable,
 * -ETIMEDOUT, or -ECHILD (watch exited: *wstatus holds its status). */
static int lr_wait_readable(int fd, double deadline, pid_t watch, int *wstatus)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        double left = deadline - lr_now();
        if (left <= 0) {
            return -ETIMEDOUT;
        }
        int rc = poll(&p, 1, left > 0.2 ? 200 : (int)(left * 1000) + 1);
        if (rc > 0) {
            return 0;
        }
        if (watch > 0 && waitpid(watch, wstatus, WNOHANG) == watch) {
            return -ECHILD;
        }
    }
}

/* ---- records ---- */

/* A deterministic conn.log record source (splitmix64), one per worker, so
 * the raw baseline encodes exactly the records the real path sends. */
struct lr_gen {
    uint64_t state;
    uint64_t i;
    double ts;
    char uid[20];
    char parent_uid[20];
    struct shoal_value parents[1];
    struct shoal_value v[SHOAL_CONN_LOG_NFIELDS];
};

static uint64_t lr_rand(struct lr_gen *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void lr_gen_init(struct lr_gen *g, unsigned worker)
{
    memset(g, 0, sizeof(*g));
    g->state = 0x5eed0000u + worker;
    g->ts = 1700000000.0 + worker * 0.5;
}

/* A Zeek-like uid: 'C' and 17 characters of the base62 alphabet, 6 random
 * bits each (two letters a little more often: the generator is in the
 * timed part, so it takes no divisions). */
static void lr_uid(struct lr_gen *g, char *out)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzCH";
    uint64_t a = lr_rand(g), b = lr_rand(g);

    out[0] = 'C';
    for (int k = 1; k < 18; k++) {
        uint64_t *r = k < 10 ? &a : &b;
        out[k] = b62[*r & 63];
        *r >>= 6;
    }
    out[18] = '\0';
}

static void lr_addr(struct lr_gen *g, struct shoal_addr *a, bool v6, uint8_t net)
{
    uint64_t r = lr_rand(g);

    memset(a, 0, sizeof(*a));
    if (v6) {
        a->b[0] = 0x20;
        a->b[1] = 0x01;
        a->b[2] = 0x0d;
        a->b[3] = 0xb8;
        a->b[4] = net;
        memcpy(a->b + 8, &r, 8);
    } else {
        a->b[10] = a->b[11] = 0xff;
        a->b[12] = net;
        a->b[13] = (uint8_t)(r >> 8);
        a->b[14] = (uint8_t)(r >> 16);
        a->b[15] = (uint8_t)(1 + (r >> 24) % 254);
    }
}

/* The next record into g->v (valid until the next call); its orig_pkts
 * is added to *sum. */
static const struct shoal_value *lr_gen_next(struct lr_gen *g, uint64_t *sum)
{
    static const uint16_t tcp_ports[] = {80, 443, 443, 443, 22, 8080, 25, 3389};
    struct shoal_value *v = g->v;
    uint64_t r = lr_rand(g);
    unsigned kind = r % 100; /* 0-69 tcp, 70-94 udp, 95-99 icmp */
    bool v6 = (r >> 8) % 10 == 0;
    struct shoal_addr oh, rh;
    const char *proto, *service = NULL, *state, *hist = NULL;
    uint16_t op, rp;
    uint8_t ipp;
    uint64_t opk, rpk, ob = 0, rb = 0;
    bool closed = true;

    g->ts += 1e-4 * (double)((r >> 16) % 100) / 50.0;
    lr_uid(g, g->uid);
    lr_addr(g, &oh, v6, 10);
    lr_addr(g, &rh, v6, 192);
    op = (uint16_t)(1024 + (r >> 24) % 64000);
    if (kind < 70) {
        proto = "tcp";
        ipp = 6;
        rp = tcp_ports[(r >> 40) % 8];
        service = rp == 80 || rp == 8080 ? "http" : rp == 443 ? "ssl" : rp == 22 ? "ssh" : NULL;
        switch ((r >> 44) % 10) {
        case 0:
        case 1:
            state = "S0";
            hist = "S";
            closed = false;
            break;
        case 2:
            state = "REJ";
            hist = "Sr";
            closed = false;
            break;
        case 3:
            state = "RSTO";
            hist = "ShADadR";
            break;
        default:
            state = "SF";
            hist = "ShADadFf";
            break;
        }
    } else if (kind < 95) {
        proto = "udp";
        ipp = 17;
        rp = (r >> 40) % 4 ? 53 : 123;
        service = rp == 53 ? "dns" : NULL;
        bool answered = (r >> 44) % 8 != 0;
        state = answered ? "SF" : "S0";
        hist = answered ? "Dd" : "D";
        closed = answered;
    } else {
        proto = "icmp";
        ipp = 1;
        op = 8;
        rp = 0;
        state = "OTH";
    }
    opk = closed ? 2 + (r >> 48) % 40 : 1 + (r >> 48) % 3;
    rpk = closed ? 1 + (r >> 52) % 60 : 0;
    if (closed) {
        ob = (r >> 20) % 20000;
        rb = (r >> 34) % 400000;
    }
    v[0] = shoal_v_double(g->ts);
    v[1] = shoal_v_str(g->uid);
    v[2] = shoal_v_addr(&oh);
    v[3] = shoal_v_count(op);
    v[4] = shoal_v_addr(&rh);
    v[5] = shoal_v_count(rp);
    v[6] = shoal_v_str(proto);
    v[7] = shoal_v_str(service);
    if (closed) {
        v[8] = shoal_v_double((double)(r % 3000000) / 1e6);
        v[9] = shoal_v_count(ob);
        v[10] = shoal_v_count(rb);
    } else {
        v[8] = v[9] = v[10] = shoal_v_unset();
    }
    v[11] = shoal_v_str(state);
    v[12] = shoal_v_bool(true);
    v[13] = shoal_v_bool(false);
    v[14] = shoal_v_count(0);
    v[15] = shoal_v_str(hist);
    v[16] = shoal_v_count(opk);
    v[17] = shoal_v_count(ob + opk * (v6 ? 60 : 40));
    v[18] = shoal_v_count(rpk);
    v[19] = shoal_v_count(rb + rpk * (v6 ? 60 : 40));
    if (g->i % 100 == 99) { /* now and then a tunnelled connection */
        lr_uid(g, g->parent_uid);
        g->parents[0] = shoal_v_str(g->parent_uid);
        v[20] = shoal_v_vec(g->parents, 1);
    } else {
        v[20] = shoal_v_unset();
    }
    v[21] = shoal_v_count(ipp);
    g->i++;
    *sum += opk;
    return v;
}

/* ---- processes ---- */

/* Fork a child with a pipe each way; the child runs fn(arg, to, from) and
 * exits with its return. */
static int lr_fork(struct lr_child *c, int (*fn)(void *arg, int in, int out), void *arg)
{
    int down[2], up[2];

    if (pipe(down) != 0 || pipe(up) != 0) {
        lr_err("pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    c->pid = fork();
    if (c->pid < 0) {
        lr_err("fork: %s", strerror(errno));
        return -1;
    }
    if (c->pid == 0) {
        close(down[1]);
        close(up[0]);
        _exit(fn(arg, down[0], up[1]));
    }
    close(down[0]);
    close(up[1]);
    c->to = down[1];
    c->from = up[0];
    return 0;
}

/* Run argv with stdout and stderr into `errfile`; returns the pid. */
static pid_t lr_spawn(char *const argv[], const char *errfile)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
            _exit(127);
        }
        execv(argv[0], argv);
        fprintf(stderr, "bench-lograte: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        lr_err("fork for %s: %s", argv[0], strerror(errno));
    }
    return pid;
}

static void lr_show_file(const char *path)
{
    char line[1024];
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        fprintf(stderr, "  | %s", line);
    }
    fclose(f);
}

static void lr_progress(const struct lr_opts *o, double t0, bool last)
{
    uint64_t done = 0, total = o->records * LR_WORKERS;

    if (!o->progress) {
        return;
    }
    if (last) {
        fprintf(stderr, "\r%-78s\r", "");
        return;
    }
    for (int w = 0; w < LR_WORKERS; w++) {
        done += __atomic_load_n(&lr_sh->done[w], __ATOMIC_RELAXED);
    }
    fprintf(stderr, "\r  %s: %" PRIu64 " of %" PRIu64 " records %s (%3.0f%%), %.0f s ",
            lr_mode_names[o->mode], done, total, o->mode == LR_SHOAL ? "written" : "sent",
            total ? 100.0 * (double)done / (double)total : 0.0, lr_now() - t0);
}

/* Wait for every child's report; progress while waiting.  0, or -1 when one
 * failed, went away or ran past the deadline (logged). */
static int lr_collect(const struct lr_opts *o, struct lr_child *c, size_t n, struct lr_report *rep,
                      const char *what, double deadline, pid_t watch, const char *watch_name)
{
    double t0 = lr_now();

    for (size_t i = 0; i < n; i++) {
        int ws = 0;
        for (;;) {
            int rc = lr_wait_readable(c[i].from, lr_now() + 0.5, watch, &ws);
            if (rc == 0) {
                break;
            }
            if (rc == -ECHILD) {
                lr_progress(o, t0, true);
                lr_err("%s exited (status %d) while waiting for %s", watch_name,
                       WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), what);
                return -1;
            }
            if (lr_now() > deadline) {
                lr_progress(o, t0, true);
                lr_err("timed out waiting for %s (process %d)", what, (int)c[i].pid);
                return -1;
            }
            lr_progress(o, t0, false);
        }
        if (lr_read_all(c[i].from, &rep[i], sizeof(rep[i])) < 0 || rep[i].status != 0) {
            lr_progress(o, t0, true);
            lr_err("%s: process %d failed (its messages are above)", what, (int)c[i].pid);
            return -1;
        }
    }
    lr_progress(o, t0, true);
    return 0;
}

static void lr_reap(struct lr_child *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].pid > 0) {
            kill(c[i].pid, SIGKILL);
            waitpid(c[i].pid, NULL, 0);
            c[i].pid = 0;
        }
        if (c[i].to >= 0) {
            close(c[i].to);
        }
        if (c[i].from >= 0) {
            close(c[i].from);
        }
        c[i].to = c[i].from = -1;
    }
}

/* Wait for children that reported success; -1 if one exits non-zero. */
static int lr_join(struct lr_child *c, size_t n)
{
    int bad = 0;

    for (size_t i = 0; i < n; i++) {
        int ws;
        if (c[i].pid > 0 && waitpid(c[i].pid, &ws, 0) == c[i].pid) {
            if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
                lr_err("process %d exited with status %d", (int)c[i].pid,
                       WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
                bad = -1;
            }
            c[i].pid = 0;
        }
    }
    return bad;
}

/* ---- the real path: worker processes ---- */

struct lr_worker_arg {
    const struct lr_opts *o;
    const struct shoal_layout *layout;
    unsigned idx;
};

static int lr_worker(void *argp, int in, int out)
{
    struct lr_worker_arg *a = argp;
    const struct lr_opts *o = a->o;
    char name[32];
    const struct shoal_layout_node *self;
    struct shoal_worker_link *wl = NULL;
    struct shoal_zsec *zsec = NULL;
    struct shoal_config cfg;
    struct shoal_logger *logger = NULL;
    const char *target;
    struct shoal_stream *warm, *conn;
    struct shoal_worker_link_stats st;
    struct lr_report rep;
    struct lr_gen g;
    char go;
    int rc, status = 1;

    memset(&rep, 0, sizeof(rep));
    rep.status = 1;
    if (shoal_config_defaults(&cfg) < 0) {
        lr_err("out of memory");
        goto out_report;
    }
    /* BENCH_LOGRATE_JOURNAL=0: the workers keep no log journal (to see what
     * it costs; the default, as a node's, is on). */
    const char *jv = getenv("BENCH_LOGRATE_JOURNAL");
    cfg.cluster_journal = jv == NULL || strcmp(jv, "0") != 0;
    snprintf(name, sizeof(name), "worker-%u", a->idx + 1);
    self = shoal_layout_find(a->layout, name);
    if (self == NULL) {
        lr_err("%s: no node %s", a->layout->file, name);
        goto out_report;
    }
    rc = shoal_mkdirs(self->workdir, 0700, NULL, 0);
    if (rc < 0) {
        lr_err("%s: cannot create the workdir %s: %s", name, self->workdir, strerror(-rc));
        goto out_report;
    }
    struct shoal_worker_link_opts wo = {
        .batch_records = o->batch,
        .ack_timeout = LR_ACK_TIMEOUT,
    };
    if (shoal_worker_link_new(a->layout, self, &wo, &wl) < 0) {
        goto out_report; /* logged */
    }
    target = shoal_worker_link_endpoint(wl);
    logger = shoal_logger_new(self->workdir, SHOAL_LOGFMT_TSV);
    if (logger == NULL) {
        lr_err("%s: out of memory", name);
        goto out_report;
    }
    if (shoal_zsec_open(a->layout, self, false, &zsec) < 0 ||
        shoal_worker_link_start(wl, zsec, logger, &cfg) < 0) {
        goto out_report; /* logged */
    }

    /* Warm-up: one record of another stream, acknowledged, so the timed
     * part starts on an established, authenticated connection. */
    warm = shoal_log_open(logger, "bench_warmup", lr_warm_fields, 2);
    conn = shoal_log_open(logger, "conn", shoal_conn_log_fields, SHOAL_CONN_LOG_NFIELDS);
    if (warm == NULL || conn == NULL) {
        goto out_report; /* logged */
    }
    struct shoal_value wv[2] = {shoal_v_double(1700000000.0), shoal_v_str(name)};
    if (shoal_log_write(warm, wv) < 0) {
        goto out_report;
    }
    double deadline = lr_now() + LR_READY_TIMEOUT;
    do {
        shoal_worker_link_poll(wl);
        shoal_worker_link_stats(wl, &st);
        if (st.acked > 0) {
            break;
        }
        usleep(2000);
    } while (lr_now() < deadline);
    if (st.acked == 0) {
        lr_err("%s: no acknowledgement from the manager at %s within %.0f s", name, target,
               LR_READY_TIMEOUT);
        goto out_report;
    }
    rep.status = 0;
    if (lr_write_all(out, &rep, sizeof(rep)) < 0 || lr_read_all(in, &go, 1) < 0) {
        goto out_free; /* the parent went away */
    }

    /* The timed part. */
    uint64_t sum = 0;
    double cpu0 = lr_cpu_self();
    lr_gen_init(&g, a->idx);
    rep.t_start = lr_now();
    for (uint64_t i = 0; i < o->records; i++) {
        rc = shoal_log_write(conn, lr_gen_next(&g, &sum));
        if (rc < 0) {
            lr_err("%s: record %" PRIu64 " to the manager at %s: %s", name, i, target,
                   strerror(-rc));
            rep.status = 1;
            goto out_report;
        }
        if ((i + 1) % LR_POLL_EVERY == 0) {
            shoal_worker_link_poll(wl);
            __atomic_store_n(&lr_sh->done[a->idx], i + 1, __ATOMIC_RELAXED);
        }
    }
    rc = shoal_worker_link_finish(wl);
    rep.t_end = lr_now();
    rep.cpu = lr_cpu_self() - cpu0;
    __atomic_store_n(&lr_sh->done[a->idx], o->records, __ATOMIC_RELAXED);
    shoal_worker_link_stats(wl, &st);
    if (rc < 0) {
        lr_err("%s: the log channel to %s failed at the end: %s (%" PRIu64 " of %" PRIu64
               " batches acknowledged)",
               name, target, strerror(-rc), st.acked, st.batches);
        rep.status = 1;
        goto out_report;
    }
    rep.records = st.records - 1; /* the warm-up record */
    rep.batches = st.batches - 1;
    rep.messages = st.sent;
    rep.resends = st.resends;
    rep.orig_pkts = sum;
    status = 0;

out_report:
    if (lr_write_all(out, &rep, sizeof(rep)) < 0) {
        status = 1;
    }
out_free:
    shoal_logger_free(logger);
    shoal_worker_link_free(wl);
    shoal_zsec_close(zsec);
    shoal_config_free(&cfg);
    return status;
}

/* ---- the real path: orchestration ---- */

/* A base port whose next 8 ports are free on 127.0.0.1 now. */
static int lr_free_ports(unsigned *base)
{
    unsigned start = 10000 + (unsigned)getpid() % 2000 * 10;

    for (unsigned k = 0; k < 200; k++) {
        unsigned b = 10000 + (start - 10000 + k * 10) % 20000;
        bool ok = true;
        for (unsigned p = b; ok && p < b + 8; p++) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
            if (fd >= 0) {
                close(fd);
            }
        }
        if (ok) {
            *base = b;
            return 0;
        }
    }
    lr_err("no 8 free consecutive TCP ports on 127.0.0.1 between 10000 and 30000");
    return -1;
}

/* Data rows of a Zeek TSV file and the sum of column `col`; -1 (logged) if
 * the file cannot be read or is not closed. */
static int lr_count_rows(const char *path, size_t col, uint64_t *rows, uint64_t *sum)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool closed = false;

    *rows = *sum = 0;
    if (f == NULL) {
        lr_err("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#') {
            closed = closed || strncmp(line, "#close", 6) == 0;
            continue;
        }
        const char *p = line;
        for (size_t k = 0; k < col && p != NULL; k++) {
            p = strchr(p, '\t');
            p = p != NULL ? p + 1 : NULL;
        }
        if (p == NULL || *p < '0' || *p > '9') {
            lr_err("%s: row %" PRIu64 " has no count in column %zu: %.80s", path, *rows + 1,
                   col + 1, line);
            free(line);
            fclose(f);
            return -1;
        }
        *sum += strtoull(p, NULL, 10);
        (*rows)++;
    }
    free(line);
    fclose(f);
    if (!closed) {
        lr_err("%s has no #close line: the manager did not stop cleanly", path);
        return -1;
    }
    return 0;
}

static int lr_run_shoal(const struct lr_opts *o)
{
    char layout_path[PATH_MAX], spool[PATH_MAX], keys[PATH_MAX], errfile[PATH_MAX];
    char port[16], logfile[PATH_MAX + 16], endpoint[320];
    struct shoal_layout *layout = NULL;
    struct lr_child w[LR_WORKERS];
    struct lr_worker_arg wa[LR_WORKERS];
    struct lr_report rep[LR_WORKERS];
    char err[512] = "";
    pid_t mgr = 0;
    unsigned base;
    int ws, status = 1;

    for (int i = 0; i < LR_WORKERS; i++) {
        w[i].pid = 0;
        w[i].to = w[i].from = -1;
    }
    snprintf(layout_path, sizeof(layout_path), "%s/layout.cfg", o->dir);
    snprintf(spool, sizeof(spool), "%s/spool", o->dir);
    snprintf(keys, sizeof(keys), "%s/keys", o->dir);
    snprintf(errfile, sizeof(errfile), "%s/gen-layout.err", o->dir);
    if (lr_free_ports(&base) < 0) {
        return 1;
    }
    snprintf(port, sizeof(port), "%u", base);
    char *gen[] = {(char *)o->shoal,
                   "--gen-layout",
                   layout_path,
                   "--workdir-base",
                   spool,
                   "--keys",
                   keys,
                   "--manager",
                   "manager",
                   "--worker",
                   "worker-1",
                   "--worker",
                   "worker-2",
                   "--base-port",
                   port,
                   NULL};
    pid_t pid = lr_spawn(gen, errfile);
    if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        lr_show_file(errfile);
        lr_err("'%s --gen-layout %s ...' failed", o->shoal, layout_path);
        return 1;
    }
    if (shoal_layout_load(layout_path, &layout, err, sizeof(err)) < 0) {
        lr_err("%s", err);
        return 1;
    }
    const struct shoal_layout_node *mn = shoal_layout_manager(layout);
    if (mn == NULL ||
        shoal_layout_endpoint(mn, SHOAL_CHANNEL_LOG, endpoint, sizeof(endpoint)) < 0) {
        lr_err("%s: no manager with a log port", layout_path);
        goto out_layout;
    }
    snprintf(logfile, sizeof(logfile), "%s/conn.log", mn->workdir);
    snprintf(errfile, sizeof(errfile), "%s/manager.err", o->dir);
    char *mgr_argv[] = {(char *)o->shoal, "--node", "manager", "--layout", layout_path, NULL};
    mgr = lr_spawn(mgr_argv, errfile);
    if (mgr < 0) {
        mgr = 0;
        goto out_layout;
    }
    for (unsigned i = 0; i < LR_WORKERS; i++) {
        wa[i] = (struct lr_worker_arg){.o = o, .layout = layout, .idx = i};
        if (lr_fork(&w[i], lr_worker, &wa[i]) < 0) {
            goto out_kill;
        }
    }
    if (lr_collect(o, w, LR_WORKERS, rep, "the workers' warm-up record",
                   lr_now() + LR_READY_TIMEOUT + 5, mgr, "the manager") < 0) {
        goto out_kill;
    }
    for (int i = 0; i < LR_WORKERS; i++) {
        if (lr_write_all(w[i].to, "g", 1) < 0) {
            lr_err("worker-%d went away before the start", i + 1);
            goto out_kill;
        }
    }
    if (lr_collect(o, w, LR_WORKERS, rep, "the workers' last acknowledgement",
                   lr_now() + LR_RUN_TIMEOUT, mgr, "the manager") < 0 ||
        lr_join(w, LR_WORKERS) < 0) {
        goto out_kill;
    }

    struct rusage ru;
    kill(mgr, SIGTERM);
    if (wait4(mgr, &ws, 0, &ru) != mgr || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        mgr = 0;
        lr_show_file(errfile);
        lr_err("the manager (%s) did not stop cleanly", endpoint);
        goto out_kill;
    }
    mgr = 0;
    double t0 = rep[0].t_start < rep[1].t_start ? rep[0].t_start : rep[1].t_start;
    double t1 = rep[0].t_end > rep[1].t_end ? rep[0].t_end : rep[1].t_end;
    uint64_t want = 0, want_sum = 0, rows, sum;
    for (int i = 0; i < LR_WORKERS; i++) {
        want += rep[i].records;
        want_sum += rep[i].orig_pkts;
    }
    if (want != o->records * LR_WORKERS) {
        lr_err("the workers handed %" PRIu64 " records to their links, not %" PRIu64, want,
               o->records * LR_WORKERS);
        goto out_kill;
    }
    if (lr_count_rows(logfile, LR_ORIG_PKTS, &rows, &sum) < 0) {
        lr_show_file(errfile);
        goto out_kill;
    }
    if (rows != want || sum != want_sum) {
        lr_show_file(errfile);
        lr_err("the manager wrote %" PRIu64 " rows to %s, %" PRIu64 " were sent (%s %" PRIu64
               "); orig_pkts adds up to %" PRIu64 ", sent %" PRIu64,
               rows, logfile, want, rows < want ? "missing" : "extra",
               rows < want ? want - rows : rows - want, sum, want_sum);
        goto out_kill;
    }
    double mcpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("mode=shoal records=%" PRIu64 " rows=%" PRIu64 " batches=%" PRIu64
           " bytes=0 wall=%.6f rate=%.0f cpu_send=%.3f cpu_recv=%.3f resends=%" PRIu64 "\n",
           want, rows, rep[0].batches + rep[1].batches, t1 - t0, (double)want / (t1 - t0),
           rep[0].cpu + rep[1].cpu, mcpu, rep[0].resends + rep[1].resends);
    status = 0;

out_kill:
    lr_reap(w, LR_WORKERS);
    if (mgr > 0) {
        kill(mgr, SIGKILL);
        waitpid(mgr, NULL, 0);
    }
out_layout:
    shoal_layout_free(layout);
    return status;
}

/* ---- the raw baseline ---- */

struct lr_raw_arg {
    const struct lr_opts *o;
    unsigned idx;
    char endpoint[128];
    char server_public[41];
    char server_secret[41];
};

/* Encode this sender's LOG_BATCH bodies as the worker link would: same
 * records, same batch size, seq from 1.  Bodies are stored back to back in
 * `all`, their ends in *ends. */
static int lr_raw_bodies(const struct lr_opts *o, unsigned idx, struct shoal_buf *all,
                         size_t **ends, size_t *n, uint64_t *sum)
{
    struct shoal_wire_batch_enc enc;
    struct lr_gen g;
    struct timespec now;
    char name[32];
    size_t cap = o->records / o->batch + 2;
    int rc;

    snprintf(name, sizeof(name), "worker-%u", idx + 1);
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t epoch = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    *ends = calloc(cap, sizeof(**ends));
    if (*ends == NULL) {
        return -ENOMEM;
    }
    *n = 0;
    lr_gen_init(&g, idx);
    for (uint64_t i = 0; i < o->records;) {
        rc = shoal_wire_batch_begin(&enc, all, name, epoch, "conn", shoal_conn_log_fields,
                                    SHOAL_CONN_LOG_NFIELDS);
        for (size_t k = 0; rc == 0 && k < o->batch && i < o->records; k++, i++) {
            rc = shoal_wire_batch_add(&enc, lr_gen_next(&g, sum));
        }
        if (rc == 0) {
            rc = shoal_wire_batch_end(&enc, *n + 1, *n + 1);
        }
        if (rc < 0) {
            return rc;
        }
        (*ends)[(*n)++] = all->len;
    }
    return 0;
}

static int lr_raw_sender(void *argp, int in, int out)
{
    struct lr_raw_arg *a = argp;
    const char *topic = shoal_wire_topic(SHOAL_WIRE_LOG_BATCH);
    struct lr_report rep;
    struct shoal_buf all = {0};
    size_t *ends = NULL, n = 0;
    void *ctx = NULL, *sock = NULL;
    char go, pub[41], sec[41];
    int rc, status = 1;

    memset(&rep, 0, sizeof(rep));
    rep.status = 1;
    shoal_zsec_tune_malloc(); /* as the real path's processes, so the floor is comparable */
    rc = lr_raw_bodies(a->o, a->idx, &all, &ends, &n, &rep.orig_pkts);
    if (rc < 0) {
        lr_err("raw sender %u: encoding the batches: %s", a->idx + 1, strerror(-rc));
        goto out_report;
    }
    ctx = zmq_ctx_new();
    sock = ctx != NULL ? zmq_socket(ctx, ZMQ_PUSH) : NULL;
    if (sock == NULL) {
        lr_err("raw sender %u: zmq_socket: %s", a->idx + 1, zmq_strerror(errno));
        goto out_report;
    }
    if (a->o->mode == LR_RAW_CURVE &&
        (zmq_curve_keypair(pub, sec) != 0 ||
         zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, a->server_public, 40) != 0 ||
         zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, 40) != 0 ||
         zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, 40) != 0)) {
        lr_err("raw sender %u: CURVE keys for %s: %s", a->idx + 1, a->endpoint,
               zmq_strerror(errno));
        goto out_report;
    }
    if (zmq_connect(sock, a->endpoint) != 0) {
        lr_err("raw sender %u: cannot connect to %s: %s", a->idx + 1, a->endpoint,
               zmq_strerror(errno));
        goto out_report;
    }
    /* Warm-up: an empty message; PUSH waits for the connection. */
    if (zmq_send(sock, "", 0, 0) < 0) {
        lr_err("raw sender %u: warm-up to %s: %s", a->idx + 1, a->endpoint, zmq_strerror(errno));
        goto out_report;
    }
    rep.status = 0;
    rep.messages = n;
    rep.bytes = all.len;
    rep.records = a->o->records;
    rep.batches = n;
    if (lr_write_all(out, &rep, sizeof(rep)) < 0 || lr_read_all(in, &go, 1) < 0) {
        goto out_close;
    }
    double cpu0 = lr_cpu_self();
    rep.t_start = lr_now();
    for (size_t i = 0; i < n; i++) {
        size_t from = i ? ends[i - 1] : 0;
        if (zmq_send(sock, topic, strlen(topic), ZMQ_SNDMORE) < 0 ||
            zmq_send(sock, all.p + from, ends[i] - from, 0) < 0) {
            lr_err("raw sender %u: zmq_send to %s: %s", a->idx + 1, a->endpoint,
                   zmq_strerror(errno));
            rep.status = 1;
            goto out_report;
        }
        if ((i + 1) % 4 == 0) {
            __atomic_store_n(&lr_sh->done[a->idx], (i + 1) * a->o->batch, __ATOMIC_RELAXED);
        }
    }
    rep.t_end = lr_now();
    rep.cpu = lr_cpu_self() - cpu0;
    status = 0;

out_report:
    if (lr_write_all(out, &rep, sizeof(rep)) < 0) {
        status = 1;
    }
out_close:
    if (sock != NULL) {
        zmq_close(sock); /* lingers until everything is sent */
    }
    if (ctx != NULL) {
        zmq_ctx_term(ctx);
    }
    shoal_buf_free(&all);
    free(ends);
    return status;
}

/* The receiver: bind, report the endpoint, take the 2 warm-up messages, be
 * told how many messages follow, receive them and report the time of the
 * last. */
static int lr_raw_receiver(void *argp, int in, int out)
{
    struct lr_raw_arg *a = argp;
    struct lr_report rep;
    void *ctx, *sock = NULL;
    char ep[128] = "";
    size_t eplen = sizeof(ep);
    uint64_t expect;
    int one = 1, status = 1;
    zmq_msg_t m;

    memset(&rep, 0, sizeof(rep));
    rep.status = 1;
    shoal_zsec_tune_malloc();
    zmq_msg_init(&m);
    ctx = zmq_ctx_new();
    sock = ctx != NULL ? zmq_socket(ctx, ZMQ_PULL) : NULL;
    if (sock == NULL) {
        lr_err("raw receiver: zmq_socket: %s", zmq_strerror(errno));
        goto out_report;
    }
    if (a->o->mode == LR_RAW_CURVE &&
        (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
         zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->server_secret, 40) != 0)) {
        lr_err("raw receiver: CURVE server key: %s", zmq_strerror(errno));
        goto out_report;
    }
    if (zmq_bind(sock, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &eplen) != 0) {
        lr_err("raw receiver: cannot bind tcp://127.0.0.1:*: %s", zmq_strerror(errno));
        goto out_report;
    }
    if (lr_write_all(out, ep, sizeof(ep)) < 0) {
        goto out_close;
    }
    for (int k = 0; k < LR_WORKERS; k++) {
        if (zmq_msg_recv(&m, sock, 0) < 0) {
            lr_err("raw receiver %s: zmq_msg_recv: %s", ep, zmq_strerror(errno));
            goto out_report;
        }
    }
    rep.status = 0;
    if (lr_write_all(out, &rep, sizeof(rep)) < 0 || lr_read_all(in, &expect, sizeof(expect)) < 0) {
        goto out_close;
    }
    double cpu0 = lr_cpu_self();
    for (uint64_t k = 0; k < expect; k++) {
        int more = 1;
        size_t ml = sizeof(more);
        while (more) {
            if (zmq_msg_recv(&m, sock, 0) < 0) {
                lr_err("raw receiver %s: zmq_msg_recv: %s", ep, zmq_strerror(errno));
                rep.status = 1;
                goto out_report;
            }
            rep.bytes += zmq_msg_size(&m);
            zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
        }
        rep.messages++;
        if ((k & 63) == 0) {
            __atomic_store_n(&lr_sh->received, k, __ATOMIC_RELAXED);
        }
    }
    rep.t_end = lr_now();
    rep.cpu = lr_cpu_self() - cpu0;
    status = 0;
out_report:
    if (lr_write_all(out, &rep, sizeof(rep)) < 0) {
        status = 1;
    }
out_close:
    zmq_msg_close(&m);
    if (sock != NULL) {
        zmq_close(sock);
    }
    if (ctx != NULL) {
        zmq_ctx_term(ctx);
    }
    return status;
}

static int lr_run_raw(const struct lr_opts *o)
{
    struct lr_raw_arg ra[LR_WORKERS];
    struct lr_raw_arg rr;
    struct lr_child s[LR_WORKERS], r;
    struct lr_report rep[LR_WORKERS], rrep;
    int status = 1;

    memset(&rr, 0, sizeof(rr));
    rr.o = o;
    r.pid = 0;
    r.to = r.from = -1;
    for (int i = 0; i < LR_WORKERS; i++) {
        s[i].pid = 0;
        s[i].to = s[i].from = -1;
    }
    if (o->mode == LR_RAW_CURVE && zmq_curve_keypair(rr.server_public, rr.server_secret) != 0) {
        lr_err("zmq_curve_keypair: %s (libzmq without CURVE?)", zmq_strerror(errno));
        return 1;
    }
    if (lr_fork(&r, lr_raw_receiver, &rr) < 0) {
        return 1;
    }
    if (lr_wait_readable(r.from, lr_now() + LR_READY_TIMEOUT, 0, NULL) < 0 ||
        lr_read_all(r.from, rr.endpoint, sizeof(rr.endpoint)) < 0) {
        lr_err("the raw receiver did not bind tcp://127.0.0.1:*");
        goto out_reap;
    }
    for (unsigned i = 0; i < LR_WORKERS; i++) {
        ra[i] = rr;
        ra[i].idx = i;
        if (lr_fork(&s[i], lr_raw_sender, &ra[i]) < 0) {
            goto out_reap;
        }
    }
    if (lr_collect(o, s, LR_WORKERS, rep, "the raw senders' warm-up", lr_now() + LR_RUN_TIMEOUT, 0,
                   NULL) < 0 ||
        lr_collect(o, &r, 1, &rrep, "the raw receiver's warm-up", lr_now() + LR_READY_TIMEOUT, 0,
                   NULL) < 0) {
        goto out_reap;
    }
    uint64_t expect = rep[0].messages + rep[1].messages;
    uint64_t bytes = rep[0].bytes + rep[1].bytes;
    if (lr_write_all(r.to, &expect, sizeof(expect)) < 0 || lr_write_all(s[0].to, "g", 1) < 0 ||
        lr_write_all(s[1].to, "g", 1) < 0) {
        lr_err("a raw process went away before the start");
        goto out_reap;
    }
    if (lr_collect(o, s, LR_WORKERS, rep, "the raw senders", lr_now() + LR_RUN_TIMEOUT, 0, NULL) <
            0 ||
        lr_collect(o, &r, 1, &rrep, "the raw receiver", lr_now() + LR_RUN_TIMEOUT, 0, NULL) < 0 ||
        lr_join(s, LR_WORKERS) < 0 || lr_join(&r, 1) < 0) {
        goto out_reap;
    }
    /* Each message is the topic ("log", 3 bytes) and the body. */
    if (rrep.messages != expect || rrep.bytes != bytes + 3 * expect) {
        lr_err("the raw receiver %s got %" PRIu64 " messages of %" PRIu64 " bytes, %" PRIu64
               " of %" PRIu64 " were sent",
               rr.endpoint, rrep.messages, rrep.bytes, expect, bytes + 3 * expect);
        goto out_reap;
    }
    double t0 = rep[0].t_start < rep[1].t_start ? rep[0].t_start : rep[1].t_start;
    uint64_t records = rep[0].records + rep[1].records;
    printf("mode=%s records=%" PRIu64 " rows=%" PRIu64 " batches=%" PRIu64 " bytes=%" PRIu64
           " wall=%.6f rate=%.0f cpu_send=%.3f cpu_recv=%.3f resends=0\n",
           lr_mode_names[o->mode], records, records, expect, bytes, rrep.t_end - t0,
           (double)records / (rrep.t_end - t0), rep[0].cpu + rep[1].cpu, rrep.cpu);
    status = 0;
out_reap:
    lr_reap(s, LR_WORKERS);
    lr_reap(&r, 1);
    return status;
}

/* ---- main ---- */

static void lr_usage(FILE *f)
{
    fprintf(f,
            "usage: bench-lograte [-n RECORDS] [-b BATCH] shoal SHOAL DIR\n"
            "       bench-lograte [-n RECORDS] [-b BATCH] raw | raw-curve\n"
            "  -n RECORDS  conn.log records per worker (%d)\n"
            "  -b BATCH    records per log batch (%d, the worker link's default)\n"
            "One round: 'shoal' times 2 workers to a real manager (DIR: an empty\n"
            "directory), 'raw' a ZeroMQ PUSH/PULL of the same bodies, 'raw-curve'\n"
            "the same with CURVE.  Prints one line of key=value.\n",
            LR_DEFAULT_RECORDS, LR_DEFAULT_BATCH);
}

static bool lr_parse_u64(const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

int main(int argc, char **argv)
{
    struct lr_opts o = {.records = LR_DEFAULT_RECORDS, .batch = LR_DEFAULT_BATCH};
    uint64_t v;
    int c, rc;

    while ((c = getopt(argc, argv, "n:b:h")) != -1) {
        switch (c) {
        case 'n':
            if (!lr_parse_u64(optarg, &v) || v == 0) {
                lr_err("-n '%s': not a positive number of records", optarg);
                return 2;
            }
            o.records = v;
            break;
        case 'b':
            if (!lr_parse_u64(optarg, &v) || v == 0 || v > SHOAL_WIRE_MAX_RECORDS) {
                lr_err("-b '%s': not a batch size from 1 to %u", optarg, SHOAL_WIRE_MAX_RECORDS);
                return 2;
            }
            o.batch = (size_t)v;
            break;
        case 'h':
            lr_usage(stdout);
            return 0;
        default:
            lr_usage(stderr);
            return 2;
        }
    }
    argc -= optind;
    argv += optind;
    if (argc == 3 && strcmp(argv[0], "shoal") == 0) {
        o.mode = LR_SHOAL;
        o.shoal = argv[1];
        o.dir = argv[2];
        if (access(o.shoal, X_OK) != 0) {
            lr_err("%s is not an executable: %s", o.shoal, strerror(errno));
            return 2;
        }
        struct stat st;
        if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode) || o.dir[0] != '/') {
            lr_err("%s: not an existing directory given by its absolute path", o.dir);
            return 2;
        }
    } else if (argc == 1 && strcmp(argv[0], "raw") == 0) {
        o.mode = LR_RAW;
    } else if (argc == 1 && strcmp(argv[0], "raw-curve") == 0) {
        o.mode = LR_RAW_CURVE;
    } else {
        lr_usage(stderr);
        return 2;
    }
    if (o.mode != LR_RAW && !zmq_has("curve")) {
        lr_err("libzmq has no CURVE support (zmq_has(\"curve\") == 0)");
        return 1;
    }
    o.progress = isatty(STDERR_FILENO);
    lr_sh = mmap(NULL, sizeof(*lr_sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (lr_sh == MAP_FAILED) {
        lr_err("mmap: %s", strerror(errno));
        return 1;
    }
    memset(lr_sh, 0, sizeof(*lr_sh));
    signal(SIGPIPE, SIG_IGN);
    rc = o.mode == LR_SHOAL ? lr_run_shoal(&o) : lr_run_raw(&o);
    munmap(lr_sh, sizeof(*lr_sh));
    return rc;
}
