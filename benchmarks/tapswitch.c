/*
 * tapswitch: the smallest learning switch over TAP ports, in C, one thread: the ceiling of the
 * TAP interface itself, so that l2bench can tell what switchd's design costs from what the
 * kernel's TAP interface costs. Not part of switchd; a measuring stick.
 *
 *   gcc -O2 -o /tmp/tapswitch benchmarks/tapswitch.c -luring      # liburing-dev from Debian
 *   sudo /tmp/tapswitch rw    tapA tapB [tapC ...]   # epoll, one read(2) and one write(2) per frame
 *   sudo /tmp/tapswitch uring tapA tapB [tapC ...]   # io_uring: many reads in flight per TAP,
 *                                                    # every read and write of a wake-up in one call
 *
 * Both create the TAPs as switchd does (IFF_VNET_HDR, a 10-byte header, TSO and checksum offload,
 * so TCP super-frames cross unchanged), learn source MACs, send known unicast to its port and
 * flood the rest. They run until killed. "uring" opens the TAPs without O_NONBLOCK; a read that
 * finds nothing waits on the TAP's poll inside io_uring (on 6.18 with or without the flag: no
 * io-wq worker threads, no CPU while idle).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_PORTS 8
#define HDR 10
#define BUF (65536 + HDR + 64)
#define READS 32            /* reads in flight per port (uring) */
#define MACS 1024

static int fds[MAX_PORTS];
static int nports;
static uint64_t mac_key[MACS];
static int mac_port[MACS];

static int open_tap(const char *name, int nonblock) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
    struct ifreq ifr = {0};
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    int hdr = HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0
            || ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) < 0) {
        perror(name); exit(1);
    }
    return fd;
}

static uint64_t mac_at(const uint8_t *p) {
    uint64_t m = 0;
    for (int i = 0; i < 6; i++) m = m << 8 | p[i];
    return m;
}

/* Learns the source and returns the port for the destination, or -1 to flood. */
static int decide(const uint8_t *frame, int in) {
    uint64_t src = mac_at(frame + HDR + 6), dst = mac_at(frame + HDR);
    unsigned s = (unsigned)(src * 0x9E3779B97F4A7C15ULL >> 54) % MACS;
    mac_key[s] = src;
    mac_port[s] = in;
    if (frame[HDR] & 1) return -1;
    unsigned d = (unsigned)(dst * 0x9E3779B97F4A7C15ULL >> 54) % MACS;
    return mac_key[d] == dst && mac_port[d] != in ? mac_port[d] : -1;
}

static void run_rw(void) {
    static uint8_t buf[BUF];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < nports; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    struct epoll_event evs[MAX_PORTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_PORTS, -1);
        for (int e = 0; e < n; e++) {
            int in = evs[e].data.u32;
            for (int budget = 0; budget < 64; budget++) {
                ssize_t len = read(fds[in], buf, BUF);
                if (len < HDR + 14) break;
                int out = decide(buf, in);
                for (int p = 0; p < nports; p++) {
                    if (p != in && (out < 0 || p == out)) (void) !write(fds[p], buf, len);
                }
            }
        }
    }
}

/* user_data: port << 32 | buffer << 1 | is_write */
static void submit_read(struct io_uring *ring, uint8_t **bufs, int port, int b) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    io_uring_prep_read(sqe, fds[port], bufs[b], BUF, 0);
    io_uring_sqe_set_data64(sqe, (uint64_t) port << 32 | (uint64_t) b << 1);
}

static void run_uring(void) {
    struct io_uring ring;
    int entries = 4096;
    if (io_uring_queue_init(entries, &ring, 0) < 0) { perror("io_uring_queue_init"); exit(1); }
    int nbufs = nports * READS;
    uint8_t **bufs = calloc(nbufs, sizeof *bufs);
    int *pending = calloc(nbufs, sizeof *pending);   /* writes of a buffer still in flight */
    for (int b = 0; b < nbufs; b++) bufs[b] = aligned_alloc(4096, BUF + 4096 - BUF % 4096);
    for (int p = 0; p < nports; p++)
        for (int r = 0; r < READS; r++) submit_read(&ring, bufs, p, p * READS + r);
    for (;;) {
        if (io_uring_submit_and_wait(&ring, 1) < 0 && errno != EINTR) { perror("io_uring_submit_and_wait"); exit(1); }
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            uint64_t d = io_uring_cqe_get_data64(cqe);
            int port = d >> 32, b = (d >> 1) & 0x7fffffff, res = cqe->res;
            if (d & 1) {                     /* a write finished: the buffer reads again when all did */
                if (--pending[b] == 0) submit_read(&ring, bufs, b / READS, b);
                continue;
            }
            if (res < HDR + 14) {            /* nothing usable: read again */
                submit_read(&ring, bufs, port, b);
                continue;
            }
            int out = decide(bufs[b], port);
            for (int p = 0; p < nports; p++) {
                if (p == port || (out >= 0 && p != out)) continue;
                struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
                if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
                io_uring_prep_write(sqe, fds[p], bufs[b], res, 0);
                io_uring_sqe_set_data64(sqe, (uint64_t) p << 32 | (uint64_t) b << 1 | 1);
                pending[b]++;
            }
            if (pending[b] == 0) submit_read(&ring, bufs, port, b);
        }
        io_uring_cq_advance(&ring, seen);
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || argc - 2 > MAX_PORTS || (strcmp(argv[1], "rw") && strcmp(argv[1], "uring"))) {
        fprintf(stderr, "usage: tapswitch rw|uring TAP TAP [TAP...] (at most %d)\n", MAX_PORTS);
        return 2;
    }
    int uring = !strcmp(argv[1], "uring");
    nports = argc - 2;
    for (int i = 0; i < nports; i++) fds[i] = open_tap(argv[i + 2], !uring);
    fprintf(stderr, "tapswitch %s: %d ports\n", argv[1], nports);
    if (uring) run_uring(); else run_rw();
    return 0;
}
