/*
 * OpenHaldex XS - simulator CAN port over UDP (see ohx_udp_port.h).
 * POSIX sockets + pthread; one instance per process.
 */
#define _POSIX_C_SOURCE 200809L
#include "ohx_udp_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct {
    int open;
    int fd[OHX_BUS_COUNT];
    uint16_t local[OHX_BUS_COUNT];
    struct sockaddr_in peer[OHX_BUS_COUNT];
    pthread_t thread;
    volatile int running;
    int thread_started;
    ohx_bridge_t *bridge;
    union {
        uint64_t align;
        unsigned char bytes[OHX_BRIDGE_STORAGE_SIZE];
    } mem;
    ohx_deadbus_t dead[OHX_BUS_COUNT];
    ohx_udp_stats_t stats;
    ohx_capture_t capture; /* produced by the poll thread only */
} g_udp;                   /* zero-initialised; fd[] valid only while open */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void ohx_udp_config_default(ohx_udp_config_t *cfg)
{
    unsigned i;
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        cfg->listen_port[i] = (uint16_t)(OHX_UDP_DEFAULT_BASE_PORT + 2u * i);
        cfg->peer_port[i] = (uint16_t)(OHX_UDP_DEFAULT_BASE_PORT + 2u * i + 1u);
    }
    cfg->bridge.generation = OHX_GEN_4;
    cfg->bridge.watchdog_ms = OHX_WATCHDOG_DEFAULT_MS;
}

void ohx_udp_config_from_env(ohx_udp_config_t *cfg)
{
    const char *s = getenv("OHX_CAN_UDP_BASE");
    unsigned i;
    long base;
    if (!cfg || !s)
        return;
    base = strtol(s, NULL, 10);
    if (base <= 0 || base > 65531)
        return;
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        cfg->listen_port[i] = (uint16_t)(base + 2 * (long)i);
        cfg->peer_port[i] = (uint16_t)(base + 2 * (long)i + 1);
    }
}

uint32_t ohx_port_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)((uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u);
}

static uint32_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)((uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u);
}

static int bind_loopback(uint16_t port, uint16_t *bound)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

int ohx_udp_open(const ohx_udp_config_t *cfg)
{
    ohx_bridge_config_t bc;
    unsigned i;
    int r;
    if (!cfg)
        return OHX_ERR_INVALID_ARG;
    if (g_udp.open)
        return OHX_ERR_INVALID_STATE;
    ohx_bridge_config_default(&bc);
    if (cfg->bridge.generation)
        bc.generation = cfg->bridge.generation;
    bc.watchdog_ms = cfg->bridge.watchdog_ms;
    r = ohx_bridge_init(g_udp.mem.bytes, sizeof(g_udp.mem.bytes), &bc, &g_udp.bridge);
    if (r != OHX_OK)
        return r;
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        g_udp.fd[i] = bind_loopback(cfg->listen_port[i], &g_udp.local[i]);
        if (g_udp.fd[i] < 0) {
            while (i-- > 0)
                close(g_udp.fd[i]);
            g_udp.fd[0] = g_udp.fd[1] = -1;
            g_udp.bridge = NULL;
            return OHX_ERR_INVALID_STATE;
        }
        memset(&g_udp.peer[i], 0, sizeof(g_udp.peer[i]));
        g_udp.peer[i].sin_family = AF_INET;
        g_udp.peer[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        g_udp.peer[i].sin_port = htons(cfg->peer_port[i]);
    }
    memset(g_udp.dead, 0, sizeof(g_udp.dead));
    memset(&g_udp.stats, 0, sizeof(g_udp.stats));
    ohx_capture_init(&g_udp.capture);
    g_udp.open = 1;
    return OHX_OK;
}

uint16_t ohx_udp_local_port(uint8_t bus)
{
    return (g_udp.open && bus < OHX_BUS_COUNT) ? g_udp.local[bus] : 0;
}

/* Bridge one datagram received on bus. Returns 1 if a frame was forwarded. */
static int handle(uint8_t bus, const uint8_t *buf, ssize_t n)
{
    ohx_frame_t in, out;
    uint8_t wire[OHX_WIRE_SIZE], dst = (uint8_t)(bus ^ 1u);
    uint32_t now = ohx_port_now_ms(), ts = now_us();
    int r, sent = 0;
    if (n < 0 || ohx_wire_decode(buf, (size_t)n, &in, NULL) != OHX_OK) {
        g_udp.stats.malformed[bus]++;
        return 0;
    }
    pthread_mutex_lock(&g_lock);
    ohx_deadbus_rx(&g_udp.dead[bus], now);
    r = ohx_bridge_on_frame(g_udp.bridge, bus, &in, &out, now);
    pthread_mutex_unlock(&g_lock);
    if (r >= 0 && ohx_wire_encode(&out, dst, wire, sizeof(wire)) == OHX_OK) {
        if (sendto(g_udp.fd[dst], wire, sizeof(wire), 0, (const struct sockaddr *)&g_udp.peer[dst],
                   sizeof(g_udp.peer[dst])) == (ssize_t)sizeof(wire)) {
            sent = 1;
        } else {
            pthread_mutex_lock(&g_lock);
            g_udp.stats.tx_failed[dst]++;
            ohx_bridge_note_event(g_udp.bridge, dst, OHX_EVENT_TX_DROPPED);
            pthread_mutex_unlock(&g_lock);
        }
    }
    /* after the transmit, as on the board: the copy never delays the frame */
    ohx_capture_put(&g_udp.capture, bus, &in, &out, r, ts);
    return sent;
}

int ohx_udp_poll(int timeout_ms)
{
    struct pollfd p[OHX_BUS_COUNT];
    unsigned i;
    int n, done = 0;
    uint32_t now;
    if (!g_udp.open)
        return OHX_ERR_INVALID_STATE;
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        p[i].fd = g_udp.fd[i];
        p[i].events = POLLIN;
        p[i].revents = 0;
    }
    n = poll(p, OHX_BUS_COUNT, timeout_ms);
    if (n > 0) {
        for (i = 0; i < OHX_BUS_COUNT; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            for (;;) { /* drain everything pending on this socket */
                uint8_t buf[64];
                ssize_t got = recv(g_udp.fd[i], buf, sizeof(buf), MSG_DONTWAIT);
                if (got < 0)
                    break;
                done += handle((uint8_t)i, buf, got);
            }
        }
    }
    now = ohx_port_now_ms();
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < OHX_BUS_COUNT; i++)
        if (ohx_deadbus_check(&g_udp.dead[i], now, OHX_PORT_DEAD_BUS_MS))
            ohx_bridge_note_event(g_udp.bridge, (uint8_t)i, OHX_EVENT_DEAD_BUS);
    pthread_mutex_unlock(&g_lock);
    return done;
}

static void *thread_main(void *arg)
{
    (void)arg;
    while (g_udp.running)
        (void)ohx_udp_poll(20);
    return NULL;
}

int ohx_udp_start_thread(void)
{
    if (!g_udp.open || g_udp.thread_started)
        return OHX_ERR_INVALID_STATE;
    g_udp.running = 1;
    if (pthread_create(&g_udp.thread, NULL, thread_main, NULL) != 0) {
        g_udp.running = 0;
        return OHX_ERR_INVALID_STATE;
    }
    g_udp.thread_started = 1;
    return OHX_OK;
}

void ohx_udp_close(void)
{
    unsigned i;
    if (g_udp.thread_started) {
        g_udp.running = 0;
        pthread_join(g_udp.thread, NULL);
        g_udp.thread_started = 0;
    }
    if (!g_udp.open)
        return;
    for (i = 0; i < OHX_BUS_COUNT; i++) {
        close(g_udp.fd[i]);
        g_udp.fd[i] = -1;
        g_udp.local[i] = 0;
    }
    g_udp.bridge = NULL;
    g_udp.open = 0;
}

void ohx_udp_get_stats(ohx_udp_stats_t *out)
{
    if (!out)
        return;
    pthread_mutex_lock(&g_lock);
    *out = g_udp.stats;
    pthread_mutex_unlock(&g_lock);
}

/* ---- ohx_port.h ------------------------------------------------------- */

int ohx_port_start(const ohx_port_options_t *opt)
{
    int r = OHX_OK;
    if (!g_udp.open) {
        ohx_udp_config_t cfg;
        ohx_udp_config_default(&cfg);
        ohx_udp_config_from_env(&cfg);
        if (opt)
            cfg.bridge = *opt;
        r = ohx_udp_open(&cfg);
        if (r == OHX_OK)
            r = ohx_udp_start_thread();
        return r;
    }
    if (opt) {
        pthread_mutex_lock(&g_lock);
        if (opt->generation)
            r = ohx_bridge_set_generation(g_udp.bridge, opt->generation);
        if (r == OHX_OK && opt->watchdog_ms)
            r = ohx_bridge_set_watchdog_ms(g_udp.bridge, opt->watchdog_ms);
        pthread_mutex_unlock(&g_lock);
    }
    return r;
}

ohx_bridge_t *ohx_port_bridge(void)
{
    return g_udp.open ? g_udp.bridge : NULL;
}

void ohx_port_lock(void)
{
    pthread_mutex_lock(&g_lock);
}

void ohx_port_unlock(void)
{
    pthread_mutex_unlock(&g_lock);
}

ohx_capture_t *ohx_port_capture(void)
{
    return g_udp.open ? &g_udp.capture : NULL;
}

int ohx_port_transmit(uint8_t bus, const ohx_frame_t *f)
{
    uint8_t wire[OHX_WIRE_SIZE];
    int r;
    if (!f)
        return OHX_ERR_INVALID_ARG;
    r = ohx_wire_encode(f, bus, wire, sizeof(wire)); /* validates bus, id, dlc, flags */
    if (r != OHX_OK)
        return r;
    if (!g_udp.open)
        return OHX_ERR_INVALID_STATE;
    if (sendto(g_udp.fd[bus], wire, sizeof(wire), 0, (const struct sockaddr *)&g_udp.peer[bus],
               sizeof(g_udp.peer[bus])) != (ssize_t)sizeof(wire))
        return OHX_ERR_INVALID_STATE;
    return OHX_OK;
}

int ohx_port_bus_status(uint8_t bus, ohx_port_bus_status_t *out)
{
    if (!out)
        return OHX_ERR_INVALID_ARG;
    if (bus >= OHX_BUS_COUNT)
        return OHX_ERR_INVALID_BUS;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&g_lock);
    out->state = g_udp.open ? OHX_PORT_BUS_RUNNING : OHX_PORT_BUS_STOPPED;
    out->dead = g_udp.dead[bus].dead != 0;
    out->last_rx_age_ms = g_udp.dead[bus].seen ? ohx_port_now_ms() - g_udp.dead[bus].last_rx_ms : OHX_AGE_NEVER;
    pthread_mutex_unlock(&g_lock);
    return OHX_OK;
}
