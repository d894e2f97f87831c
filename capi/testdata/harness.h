/*
 * harness.h - shared helpers of the C test programs: callbacks that record
 * what each client received, bounded waits for them, and checks that print
 * one line each. Include it first (it selects POSIX 2008).
 *
 * Every wait is bounded (pthread_cond_timedwait); a program that times out
 * prints "FAIL timeout ..." and exits with status 1. A program that ends
 * normally prints "done" and exits with status 1 if any check failed.
 */
#ifndef HARNESS_H
#define HARNESS_H

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "network/netstack/net_websocket.h"

/* WAIT_SECONDS bounds every wait for a callback. */
#define WAIT_SECONDS 20

/* slot records the callbacks of one client. */
typedef struct {
    const char *name;
    struct WebSocket *client;
    int destroyed; /* set after Destroy returned: any later callback is a failure */
    int quiet;     /* do not print onMessage lines */
    int opens, messages, errors, closes;
    uint32_t open_code;
    char open_reason[64];
    uint32_t error_code;
    char error_message[1024];
    uint32_t close_code;
    char close_reason[128];
    unsigned char *last; /* copy of the last message */
    uint32_t last_len;
    int unterminated; /* a message without its NUL byte at data[length] */
} slot;

#define MAX_SLOTS 64

static pthread_mutex_t h_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t h_cv = PTHREAD_COND_INITIALIZER;
static slot h_slots[MAX_SLOTS];
static int h_nslots;
static int h_failures;

/* say prints one line atomically. */
#define say(...)                     \
    do {                             \
        pthread_mutex_lock(&h_mu);   \
        printf(__VA_ARGS__);         \
        fflush(stdout);              \
        pthread_mutex_unlock(&h_mu); \
    } while (0)

/* fail_locked records a failed check; h_mu must be held. */
#define fail_locked(...)     \
    do {                     \
        printf("FAIL ");     \
        printf(__VA_ARGS__); \
        fflush(stdout);      \
        h_failures++;        \
    } while (0)

/* EXPECT checks that an integer expression equals want. */
#define EXPECT(expr, want) expect_int(#expr, (long long)(expr), #want, (long long)(want))

static inline void expect_int(const char *expr, long long got, const char *wname, long long want)
{
    pthread_mutex_lock(&h_mu);
    if (got == want) {
        printf("ok %s == %s\n", expr, wname);
    } else {
        fail_locked("%s = %lld, want %s (%lld)\n", expr, got, wname, want);
    }
    fflush(stdout);
    pthread_mutex_unlock(&h_mu);
}

/* EXPECT_STR checks that a string equals want. */
#define EXPECT_STR(expr, want) expect_str(#expr, (expr), (want))

static inline void expect_str(const char *expr, const char *got, const char *want)
{
    pthread_mutex_lock(&h_mu);
    if (got != NULL && strcmp(got, want) == 0) {
        printf("ok %s == \"%s\"\n", expr, want);
    } else {
        fail_locked("%s = \"%s\", want \"%s\"\n", expr, got ? got : "(null)", want);
    }
    fflush(stdout);
    pthread_mutex_unlock(&h_mu);
}

/* track starts recording the callbacks of client under name. */
static inline slot *track(const char *name, struct WebSocket *client)
{
    pthread_mutex_lock(&h_mu);
    if (h_nslots == MAX_SLOTS) {
        printf("FAIL too many clients\n");
        exit(1);
    }
    slot *s = &h_slots[h_nslots++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->client = client;
    pthread_mutex_unlock(&h_mu);
    return s;
}

/* find returns the slot of client; h_mu must be held. */
static inline slot *find_locked(struct WebSocket *client)
{
    for (int i = 0; i < h_nslots; i++) {
        if (h_slots[i].client == client && !h_slots[i].destroyed) {
            return &h_slots[i];
        }
    }
    for (int i = 0; i < h_nslots; i++) {
        if (h_slots[i].client == client) {
            return &h_slots[i];
        }
    }
    return NULL;
}

/* begin_callback finds the slot of client and checks the callback rules. */
static inline slot *begin_callback(struct WebSocket *client, const char *what)
{
    slot *s = find_locked(client);
    if (s == NULL) {
        fail_locked("%s for an unknown client\n", what);
        return NULL;
    }
    if (s->destroyed) {
        fail_locked("%s %s after Destroy returned\n", s->name, what);
    }
    return s;
}

static inline void end_callback(slot *s)
{
    (void)s;
    pthread_cond_broadcast(&h_cv);
    fflush(stdout);
}

/* show writes data to stdout: short printable data as is, else a summary. */
static inline void show_locked(const unsigned char *data, uint32_t length)
{
    if (length > 64) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (uint32_t i = 0; i < length; i++) {
            h = (h ^ data[i]) * 16777619u;
        }
        printf("<%u bytes, fnv %08x>", length, h);
        return;
    }
    for (uint32_t i = 0; i < length; i++) {
        if (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '\\') {
            putchar(data[i]);
        } else {
            printf("\\x%02x", data[i]);
        }
    }
}

static inline void h_on_open(struct WebSocket *client, WebSocket_OpenResult r)
{
    pthread_mutex_lock(&h_mu);
    slot *s = begin_callback(client, "onOpen");
    if (s != NULL) {
        s->opens++;
        s->open_code = r.code;
        snprintf(s->open_reason, sizeof s->open_reason, "%s", r.reason ? r.reason : "(null)");
        printf("%s onOpen %u %s\n", s->name, r.code, s->open_reason);
    }
    end_callback(s);
    pthread_mutex_unlock(&h_mu);
}

static inline void h_on_message(struct WebSocket *client, char *data, uint32_t length)
{
    pthread_mutex_lock(&h_mu);
    slot *s = begin_callback(client, "onMessage");
    if (s != NULL) {
        s->messages++;
        if (data == NULL || data[length] != '\0') {
            s->unterminated++;
        }
        free(s->last);
        s->last = malloc(length + 1);
        if (data != NULL && s->last != NULL) {
            memcpy(s->last, data, length);
            s->last[length] = 0;
        }
        s->last_len = length;
        if (!s->quiet) {
            printf("%s onMessage %u ", s->name, length);
            show_locked((const unsigned char *)data, length);
            printf("\n");
        }
    }
    end_callback(s);
    pthread_mutex_unlock(&h_mu);
}

static inline void h_on_error(struct WebSocket *client, WebSocket_ErrorResult r)
{
    pthread_mutex_lock(&h_mu);
    slot *s = begin_callback(client, "onError");
    if (s != NULL) {
        s->errors++;
        s->error_code = r.errorCode;
        snprintf(s->error_message, sizeof s->error_message, "%s", r.errorMessage ? r.errorMessage : "(null)");
        printf("%s onError %u %s\n", s->name, r.errorCode, s->error_message);
    }
    end_callback(s);
    pthread_mutex_unlock(&h_mu);
}

static inline void h_on_close(struct WebSocket *client, WebSocket_CloseResult r)
{
    pthread_mutex_lock(&h_mu);
    slot *s = begin_callback(client, "onClose");
    if (s != NULL) {
        s->closes++;
        s->close_code = r.code;
        snprintf(s->close_reason, sizeof s->close_reason, "%s", r.reason ? r.reason : "(null)");
        printf("%s onClose %u %s\n", s->name, r.code, s->close_reason);
    }
    end_callback(s);
    pthread_mutex_unlock(&h_mu);
}

/* new_client constructs a client with the recording callbacks. */
static inline slot *new_client(const char *name)
{
    struct WebSocket *c = OH_WebSocketClient_Constructor(h_on_open, h_on_message, h_on_error, h_on_close);
    if (c == NULL) {
        say("FAIL %s: OH_WebSocketClient_Constructor returned NULL\n", name);
        exit(1);
    }
    return track(name, c);
}

/* deadline returns the time WAIT_SECONDS from now. */
static inline struct timespec deadline(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += WAIT_SECONDS;
    return ts;
}

/*
 * wait_for waits until *counter (a field of a slot, or any int guarded by
 * h_mu) reaches n, or exits the program after WAIT_SECONDS.
 */
static inline void wait_for(const int *counter, int n, const char *what)
{
    struct timespec ts = deadline();
    pthread_mutex_lock(&h_mu);
    while (*counter < n) {
        if (pthread_cond_timedwait(&h_cv, &h_mu, &ts) != 0 && *counter < n) {
            printf("FAIL timeout waiting for %s (%d of %d)\n", what, *counter, n);
            fflush(stdout);
            exit(1);
        }
    }
    pthread_mutex_unlock(&h_mu);
}

/* read_int reads an int guarded by h_mu. */
static inline int read_int(const int *p)
{
    pthread_mutex_lock(&h_mu);
    int v = *p;
    pthread_mutex_unlock(&h_mu);
    return v;
}

/* destroyed marks s destroyed: any later callback of it is a failure. */
static inline void destroyed(slot *s)
{
    pthread_mutex_lock(&h_mu);
    s->destroyed = 1;
    pthread_mutex_unlock(&h_mu);
}

/* destroy destroys the client of s and checks the result. */
#define DESTROY(s, want)                                       \
    do {                                                       \
        EXPECT(OH_WebSocketClient_Destroy((s)->client), want); \
        destroyed(s);                                          \
    } while (0)

/* finish prints "done" and returns the exit status. */
static inline int finish(void)
{
    pthread_mutex_lock(&h_mu);
    for (int i = 0; i < h_nslots; i++) {
        if (h_slots[i].unterminated) {
            fail_locked("%s: %d messages without a NUL byte after the data\n", h_slots[i].name, h_slots[i].unterminated);
        }
    }
    int failed = h_failures;
    printf("done\n");
    fflush(stdout);
    pthread_mutex_unlock(&h_mu);
    return failed ? 1 : 0;
}

/* url_join returns base + path in a static-duration buffer of the caller. */
static inline const char *url_join(char *buf, size_t size, const char *base, const char *path)
{
    snprintf(buf, size, "%s%s", base, path);
    return buf;
}

#endif /* HARNESS_H */
