/*
 * [spec] Tests for the simulator UDP port (modules/can/ports/udp): frames in
 * and out as 16-byte wire datagrams on 127.0.0.1, bridged without JS, and the
 * dead-bus tracker shared by the ports.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "ohx_udp_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

static int sim_fd[2];
static uint16_t sim_port[2];

static int open_sim(int i)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    sim_fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(sim_fd[i], (struct sockaddr *)&a, sizeof(a)) != 0)
        return -1;
    getsockname(sim_fd[i], (struct sockaddr *)&a, &len);
    sim_port[i] = ntohs(a.sin_port);
    return 0;
}

static void sim_send(int bus, const uint8_t *buf, size_t n)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(ohx_udp_local_port((uint8_t)bus));
    sendto(sim_fd[bus], buf, n, 0, (struct sockaddr *)&a, sizeof(a));
}

static int sim_recv(int bus, uint8_t *buf, int timeout_ms)
{
    struct pollfd p;
    p.fd = sim_fd[bus];
    p.events = POLLIN;
    if (poll(&p, 1, timeout_ms) <= 0)
        return -1;
    return (int)recv(sim_fd[bus], buf, 64, 0);
}

static void send_frame(int bus, uint32_t id, const uint8_t *data)
{
    ohx_frame_t f;
    uint8_t w[16];
    memset(&f, 0, sizeof(f));
    f.id = id;
    f.dlc = 8;
    memcpy(f.data, data, 8);
    ohx_wire_encode(&f, (uint8_t)bus, w, sizeof(w));
    sim_send(bus, w, sizeof(w));
}

static const uint8_t D[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

TEST(udp_port_bridges_frames_between_the_buses)
{
    ohx_udp_config_t cfg;
    uint8_t buf[64];
    ohx_frame_t f;
    uint8_t bus;
    ohx_udp_config_default(&cfg);
    CHECK_EQ(open_sim(0), 0);
    CHECK_EQ(open_sim(1), 0);
    cfg.listen_port[0] = cfg.listen_port[1] = 0;
    cfg.peer_port[0] = sim_port[0];
    cfg.peer_port[1] = sim_port[1];
    CHECK_EQ(ohx_udp_open(&cfg), OHX_OK);
    CHECK_EQ(ohx_udp_open(&cfg), OHX_ERR_INVALID_STATE);

    /* chassis -> Haldex, STOCK */
    send_frame(0, OHX_ID_BRAKES2, D);
    CHECK_EQ(ohx_udp_poll(500), 1);
    CHECK_EQ(sim_recv(1, buf, 500), 16);
    CHECK_EQ(ohx_wire_decode(buf, 16, &f, &bus), OHX_OK);
    CHECK_EQ(bus, OHX_BUS_HALDEX);
    CHECK_BYTES(f.data, D, 8, "STOCK BRAKES2 at the Haldex");

    /* 5050: rewritten */
    ohx_port_lock();
    ohx_bridge_set_target(ohx_port_bridge(), OHX_MODE_5050, 100, ohx_port_now_ms());
    ohx_port_unlock();
    send_frame(0, OHX_ID_BRAKES2, D);
    CHECK_EQ(ohx_udp_poll(500), 1);
    CHECK_EQ(sim_recv(1, buf, 500), 16);
    ohx_wire_decode(buf, 16, &f, &bus);
    CHECK_EQ(f.data[4], 0x7F);

    /* Haldex -> chassis untouched */
    send_frame(1, OHX_ID_HALDEX, D);
    CHECK_EQ(ohx_udp_poll(500), 1);
    CHECK_EQ(sim_recv(0, buf, 500), 16);
    ohx_wire_decode(buf, 16, &f, &bus);
    CHECK_EQ(bus, OHX_BUS_CHASSIS);
    CHECK_EQ(f.id, OHX_ID_HALDEX);
    CHECK_BYTES(f.data, D, 8, "0x2C0 at the chassis");

    /* malformed datagram: dropped and counted */
    {
        ohx_udp_stats_t st;
        sim_send(0, D, 8);
        CHECK_EQ(ohx_udp_poll(500), 0);
        ohx_udp_get_stats(&st);
        CHECK_EQ(st.malformed[0], 1);
    }

    /* the thread bridges without polling from the caller */
    CHECK_EQ(ohx_udp_start_thread(), OHX_OK);
    send_frame(0, OHX_ID_MOTOR2, D);
    CHECK_EQ(sim_recv(1, buf, 1000), 16);
    {
        ohx_port_bus_status_t s;
        CHECK_EQ(ohx_port_bus_status(0, &s), OHX_OK);
        CHECK_EQ(s.state, OHX_PORT_BUS_RUNNING);
        CHECK(s.last_rx_age_ms < 1000);
        CHECK_EQ(ohx_port_bus_status(2, &s), OHX_ERR_INVALID_BUS);
    }
    ohx_udp_close();
    CHECK(ohx_port_bridge() == NULL);
    close(sim_fd[0]);
    close(sim_fd[1]);
}

TEST(dead_bus_tracker_fires_once_per_silence)
{
    ohx_deadbus_t d;
    memset(&d, 0, sizeof(d));
    CHECK(!ohx_deadbus_check(&d, 5000, 1000)); /* never seen: not dead */
    CHECK(!ohx_deadbus_rx(&d, 100));
    CHECK(!ohx_deadbus_check(&d, 1100, 1000));
    CHECK(ohx_deadbus_check(&d, 1101, 1000));
    CHECK(!ohx_deadbus_check(&d, 9000, 1000));
    CHECK(ohx_deadbus_rx(&d, 9001));
    CHECK(!ohx_deadbus_check(&d, 9002, 1000));
}

int main(void)
{
    RUN(udp_port_bridges_frames_between_the_buses);
    RUN(dead_bus_tracker_fires_once_per_silence);
    return ohx_test_summary();
}
