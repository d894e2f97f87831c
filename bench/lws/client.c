/*
 * lws/client.c - the libwebsockets client of the benchmark: the platform's
 * own engine (HarmonyOS NetworkKit's WebSocket is built on libwebsockets).
 *
 * Same command line, workloads, checks and JSON output as the Go clients
 * (`bench client ...`), measured the same way: CLOCK_MONOTONIC and
 * getrusage(RUSAGE_SELF) around the measured workload only, VmRSS for idle
 * connections. Built by the orchestrator:
 *
 *   gcc -O2 -o tmp/lwsclient lws/client.c $(pkg-config --cflags --libs libwebsockets)
 *
 * Usage: lwsclient -impl lws -workload echo64 -n 2000 -addr 127.0.0.1:PORT [-timeout 60s]
 */
#include <libwebsockets.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum kind { K_STREAM, K_CONNECT, K_IDLE };
enum phase { P_CONNECTING, P_WARM, P_MEASURE, P_CLOSING, P_DONE };

struct pss { /* per connection */
	unsigned char *rx;
	size_t rxlen, rxcap;
	int established;
};

static struct {
	const char *workload;
	enum kind kind;
	size_t size;
	long window;
	long n, warm;
	char host[256];
	int port;
	char hosthdr[300];
	double timeout_s;
	struct timespec deadline;

	struct lws_context *ctx;
	unsigned char *tx; /* LWS_PRE + size */

	/* stream */
	enum phase phase;
	long total, sent, recvd;
	int want_close;

	/* connect and idle */
	long cycles, started, established, closed;
	int need_connect;

	/* measurement */
	struct timespec t0, t1;
	long long cpu0, cpu1;
	double kib_per_conn;
	int done;
	char err[512];
} g;

static void fail(const char *fmt, ...)
{
	va_list ap;
	if (g.err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(g.err, sizeof g.err, fmt, ap);
	va_end(ap);
	g.done = 1;
}

static long long cpu_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void start_measure(void)
{
	g.cpu0 = cpu_ns();
	clock_gettime(CLOCK_MONOTONIC, &g.t0);
}

static void stop_measure(void)
{
	clock_gettime(CLOCK_MONOTONIC, &g.t1);
	g.cpu1 = cpu_ns();
}

static long vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6)) {
			v = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void stamp(unsigned char *p, size_t len, long i)
{
	p[0] = (unsigned char)i;
	p[len - 1] = (unsigned char)((i >> 8) ^ 0xa5);
}

static int check(const unsigned char *p, size_t len, long i)
{
	if (len != g.size) {
		fail("echo %ld: %zu bytes, want %zu", i, len, g.size);
		return -1;
	}
	if (p[0] != (unsigned char)i || p[len - 1] != (unsigned char)((i >> 8) ^ 0xa5)) {
		fail("echo %ld: wrong payload (first %d last %d)", i, p[0], p[len - 1]);
		return -1;
	}
	return 0;
}

static void start_stream_phase(struct lws *wsi, long total)
{
	g.total = total;
	g.sent = 0;
	g.recvd = 0;
	lws_callback_on_writable(wsi);
}

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct pss *ps = user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fail("connection error: %s", in ? (const char *)in : "(none)");
		return -1;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		ps->established = 1;
		g.established++;
		if (g.kind == K_STREAM) {
			if (g.warm > 0) {
				g.phase = P_WARM;
				start_stream_phase(wsi, g.warm);
			} else {
				g.phase = P_MEASURE;
				start_measure();
				start_stream_phase(wsi, g.n);
			}
		} else if (g.kind == K_CONNECT) {
			lws_callback_on_writable(wsi); /* close from the writeable callback */
		}
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (g.kind == K_CONNECT || (g.kind == K_STREAM && g.want_close)) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1; /* lws sends Close and waits for the server's */
		}
		if (g.kind != K_STREAM)
			break;
		if (g.sent < g.total && g.sent - g.recvd < g.window) {
			unsigned char *p = g.tx + LWS_PRE;
			stamp(p, g.size, g.sent);
			/* one frame; lws buffers what the socket does not take */
			if (lws_write(wsi, p, g.size, LWS_WRITE_BINARY) < (int)g.size) {
				fail("lws_write failed");
				return -1;
			}
			g.sent++;
			if (g.sent < g.total && g.sent - g.recvd < g.window)
				lws_callback_on_writable(wsi);
		}
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (g.kind != K_STREAM)
			break;
		/* a message may arrive in several callbacks: reassemble */
		if (ps->rxlen + len > ps->rxcap) {
			size_t nc = ps->rxcap ? ps->rxcap : 4096;
			while (nc < ps->rxlen + len)
				nc *= 2;
			unsigned char *nb = realloc(ps->rx, nc);
			if (!nb) {
				fail("out of memory");
				return -1;
			}
			ps->rx = nb;
			ps->rxcap = nc;
		}
		memcpy(ps->rx + ps->rxlen, in, len);
		ps->rxlen += len;
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			break;
		if (check(ps->rx, ps->rxlen, g.recvd))
			return -1;
		ps->rxlen = 0;
		g.recvd++;
		if (g.recvd < g.total) {
			lws_callback_on_writable(wsi);
			break;
		}
		if (g.phase == P_WARM) {
			g.phase = P_MEASURE;
			start_measure();
			start_stream_phase(wsi, g.n);
		} else if (g.phase == P_MEASURE) {
			stop_measure();
			g.phase = P_CLOSING;
			g.want_close = 1;
			lws_callback_on_writable(wsi);
		}
		break;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (g.kind == K_STREAM) {
			if (g.phase == P_CLOSING) {
				g.phase = P_DONE;
				g.done = 1;
			} else {
				fail("connection closed during the stream");
			}
		} else if (g.kind == K_CONNECT) {
			g.cycles++;
			if (g.cycles == g.warm)
				start_measure();
			if (g.cycles == g.warm + g.n) {
				stop_measure();
				g.done = 1;
			} else {
				g.need_connect = 1;
			}
		} else {
			g.closed++;
		}
		break;

	case LWS_CALLBACK_WSI_DESTROY:
		if (ps) {
			free(ps->rx);
			ps->rx = NULL;
		}
		break;

	default:
		break;
	}
	return 0;
}

static struct lws_protocols protocols[] = {
	{ "bench", cb, sizeof(struct pss), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void start_conn(void)
{
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = g.ctx;
	ci.address = g.host;
	ci.port = g.port;
	ci.path = "/";
	ci.host = g.hosthdr;
	ci.origin = g.hosthdr;
	ci.ietf_version_or_minus_one = -1;
	ci.local_protocol_name = "bench";
	g.started++;
	if (!lws_client_connect_via_info(&ci))
		fail("lws_client_connect_via_info failed");
}

static int past_deadline(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return ts_ns(&now) > ts_ns(&g.deadline);
}

/* service runs the event loop until done, an error or the deadline; before
 * each turn it starts the connections asked for. */
static void service(long idle_target)
{
	for (long turns = 0; !g.done && turns < 2000000000L; turns++) {
		if (past_deadline()) {
			fail("timeout");
			break;
		}
		if (g.need_connect) {
			g.need_connect = 0;
			start_conn();
		}
		if (idle_target) {
			while (g.started < idle_target && g.started - g.established < 64 && !g.err[0])
				start_conn();
			if (g.established == idle_target) {
				stop_measure();
				g.done = 1;
				break;
			}
		}
		if (lws_service(g.ctx, 0) < 0) {
			fail("lws_service failed");
			break;
		}
	}
}

static double parse_duration(const char *s)
{
	/* Go's time.Duration.String(): e.g. "1m0s", "3m0s", "45s", "1.5s" */
	double total = 0, v;
	char *end;
	while (*s) {
		v = strtod(s, &end);
		if (end == s)
			return 120;
		s = end;
		if (*s == 'h') total += v * 3600, s++;
		else if (*s == 'm' && s[1] == 's') total += v / 1000, s += 2;
		else if (*s == 'm') total += v * 60, s++;
		else if (*s == 's') total += v, s++;
		else return 120;
	}
	return total > 0 ? total : 120;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	g.workload = "echo64";
	g.n = 2000;
	g.timeout_s = 120;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-workload")) g.workload = argv[i + 1];
		else if (!strcmp(argv[i], "-n")) g.n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-addr")) addr = argv[i + 1];
		else if (!strcmp(argv[i], "-timeout")) g.timeout_s = parse_duration(argv[i + 1]);
		else if (!strcmp(argv[i], "-impl")) ;
		else {
			fprintf(stderr, "unknown flag %s\n", argv[i]);
			return 1;
		}
	}
	const char *colon = addr ? strrchr(addr, ':') : NULL;
	if (!colon || g.n <= 0 || (size_t)(colon - addr) >= sizeof g.host) {
		fprintf(stderr, "need -addr host:port and -n > 0\n");
		return 1;
	}
	memcpy(g.host, addr, (size_t)(colon - addr));
	g.port = atoi(colon + 1);
	snprintf(g.hosthdr, sizeof g.hosthdr, "%s", addr);

	g.window = 1;
	if (!strcmp(g.workload, "echo64")) g.kind = K_STREAM, g.size = 64;
	else if (!strcmp(g.workload, "echo1k")) g.kind = K_STREAM, g.size = 1024;
	else if (!strcmp(g.workload, "echo64k")) g.kind = K_STREAM, g.size = 64 << 10;
	else if (!strcmp(g.workload, "echo1m")) g.kind = K_STREAM, g.size = 1 << 20;
	else if (!strcmp(g.workload, "pipe64")) g.kind = K_STREAM, g.size = 64, g.window = 64;
	else if (!strcmp(g.workload, "connect")) g.kind = K_CONNECT;
	else if (!strcmp(g.workload, "idle4000")) g.kind = K_IDLE;
	else {
		fprintf(stderr, "unknown workload %s\n", g.workload);
		return 1;
	}
	/* warm-up as in the Go clients: n/10, at least 5, at most 2000 (100 cycles) */
	g.warm = g.n / 10;
	if (g.warm < 5) g.warm = 5;
	if (g.warm > 2000) g.warm = 2000;
	if (g.kind == K_CONNECT && g.warm > 100) g.warm = 100;

	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);

	if (g.kind == K_STREAM) {
		/* rx buffer large enough for a whole message (1 MiB at most), one
		 * send() per message; each connection's buffer is allocated by lws */
		protocols[0].rx_buffer_size = g.size < 4096 ? 4096 : g.size;
		protocols[0].tx_packet_size = g.size + 16;
		g.tx = calloc(1, LWS_PRE + g.size);
		for (size_t j = 0; j < g.size; j++)
			g.tx[LWS_PRE + j] = (unsigned char)(j * 31);
	}

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.pt_serv_buf_size = 256 * 1024; /* per service thread, not per connection */
	info.gid = -1;
	info.uid = -1;
	g.ctx = lws_create_context(&info);
	if (!g.ctx) {
		fprintf(stderr, "lws_create_context failed\n");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &g.deadline);
	g.deadline.tv_sec += (time_t)g.timeout_s;

	switch (g.kind) {
	case K_STREAM:
		start_conn();
		service(0);
		break;
	case K_CONNECT:
		g.need_connect = 1;
		service(0);
		break;
	case K_IDLE: {
		/* warm with one connect + close cycle, as the Go clients do */
		g.kind = K_CONNECT;
		long n = g.n, warm = g.warm;
		g.n = 1;
		g.warm = 0;
		g.need_connect = 1;
		service(0);
		if (g.err[0])
			break;
		g.kind = K_IDLE;
		g.n = n;
		g.warm = warm;
		g.done = 0;
		g.started = g.established = 0;
		long base = vm_rss_kib();
		start_measure();
		service(n);
		if (!g.err[0])
			g.kib_per_conn = (double)(vm_rss_kib() - base) / (double)n;
		break;
	}
	}

	if (!g.err[0] && g.t1.tv_sec == 0)
		fail("no measurement");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"impl\":\"lws\",\"workload\":");
	json_str(g.workload);
	printf(",\"n\":%ld,\"size\":%zu,\"wall_ns\":%lld,\"cpu_ns\":%lld", g.n, g.size,
	       g.err[0] ? 0 : ts_ns(&g.t1) - ts_ns(&g.t0), g.err[0] ? 0 : g.cpu1 - g.cpu0);
	if (g.kind == K_IDLE)
		printf(",\"kib_per_conn\":%.3f", g.kib_per_conn);
	printf(",\"maxrss_kib\":%ld", ru.ru_maxrss);
	if (g.err[0]) {
		printf(",\"error\":");
		json_str(g.err);
	}
	printf("}\n");
	fflush(stdout);
	if (g.kind != K_IDLE) /* with 4,000 connections, just exit */
		lws_context_destroy(g.ctx);
	return g.err[0] ? 2 : 0;
}
