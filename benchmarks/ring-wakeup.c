/*
 * ring-wakeup: how late a packet receive ring wakes its reader for a lone frame, TPACKET_V2
 * (handed over per frame) against TPACKET_V3 (handed over per block: a block that is not full
 * goes to the reader only when its retire timer fires). Why switchd's netdev ports use V2.
 *
 *   gcc -O2 -o /tmp/ring-wakeup benchmarks/ring-wakeup.c
 *   sudo ip link add rwA type veth peer name rwB && sudo ip link set rwA up && sudo ip link set rwB up
 *   sudo /tmp/ring-wakeup rwA rwB 2 0; sudo /tmp/ring-wakeup rwA rwB 3 1; sudo /tmp/ring-wakeup rwA rwB 3 8
 *   sudo ip link del rwA
 *
 * Arguments: receiving interface, sending interface, ring version (2 or 3), V3 block timeout in
 * ms (0: the kernel's default for the link). 200 frames, one every 2 ms; prints the mean and
 * worst time from send(2) to poll(2) reporting the ring readable.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1 << 17)
#define BLOCKS 8
#define FRAME 2048
#define FRAMES 200

static double micros(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s RX-IF TX-IF 2|3 V3-TIMEOUT-MS\n", argv[0]);
        return 2;
    }
    int v3 = atoi(argv[3]) == 3;
    int rx = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    int version = v3 ? TPACKET_V3 : TPACKET_V2;
    if (rx < 0 || setsockopt(rx, SOL_PACKET, PACKET_VERSION, &version, sizeof version)) {
        perror("packet socket");
        return 1;
    }
    struct tpacket_req3 req = {0};
    req.tp_block_size = BLOCK;
    req.tp_block_nr = BLOCKS;
    req.tp_frame_size = v3 ? BLOCK : FRAME;
    req.tp_frame_nr = v3 ? BLOCKS : BLOCKS * (BLOCK / FRAME);
    req.tp_retire_blk_tov = atoi(argv[4]);
    if (setsockopt(rx, SOL_PACKET, PACKET_RX_RING, &req, v3 ? sizeof req : sizeof(struct tpacket_req))) {
        perror("PACKET_RX_RING");
        return 1;
    }
    char *ring = mmap(NULL, (size_t) BLOCK * BLOCKS, PROT_READ | PROT_WRITE, MAP_SHARED, rx, 0);
    struct sockaddr_ll at = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = if_nametoindex(argv[1])};
    if (ring == MAP_FAILED || bind(rx, (struct sockaddr *) &at, sizeof at)) {
        perror("mmap/bind");
        return 1;
    }
    int tx = socket(AF_PACKET, SOCK_RAW, 0);
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(argv[2]), .sll_halen = 6};
    unsigned char frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5};
    double total = 0, worst = 0;
    unsigned block = 0, slot = 0;
    for (int i = 0; i < FRAMES; i++) {
        usleep(2000);
        double t0 = micros();
        sendto(tx, frame, sizeof frame, 0, (struct sockaddr *) &to, sizeof to);
        struct pollfd p = {.fd = rx, .events = POLLIN};
        poll(&p, 1, 1000);
        double d = micros() - t0;
        total += d;
        worst = d > worst ? d : worst;
        // give back whatever the kernel handed over
        if (v3) {
            struct tpacket_block_desc *b;
            while ((b = (void *) (ring + (size_t) block * BLOCK))->hdr.bh1.block_status & TP_STATUS_USER) {
                b->hdr.bh1.block_status = TP_STATUS_KERNEL;
                block = (block + 1) % BLOCKS;
            }
        } else {
            struct tpacket2_hdr *h;
            while ((h = (void *) (ring + (size_t) slot * FRAME))->tp_status & TP_STATUS_USER) {
                h->tp_status = TP_STATUS_KERNEL;
                slot = (slot + 1) % req.tp_frame_nr;
            }
        }
    }
    printf("TPACKET_V%d%s: mean %.0f us, worst %.0f us from send to the ring readable\n", v3 ? 3 : 2,
           v3 ? (req.tp_retire_blk_tov ? " (block timeout set)" : " (default block timeout)") : "",
           total / FRAMES, worst);
    return 0;
}
