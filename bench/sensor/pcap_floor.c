/*
 * pcap_floor.c — the floor for the sensor benchmark: a bare libpcap read loop.
 *
 * Usage: pcap-floor FILE [FILE ...]
 * Reads every packet of every file with pcap_next_ex and touches its first byte (so the data
 * really comes into the cache, as it does for any tool that decodes the packet), then prints
 * `packets=N seconds=S pps=P`. No tool that reads the same files through libpcap can be
 * faster than this, so bench/sensor/run.sh reports acd-sensor's time as a ratio to it.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <pcap/pcap.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one file to its end; adds its packets to *packets and the touched bytes to *sum. */
static int read_file(const char *path, uint64_t *packets, uint64_t *sum)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "pcap-floor: %s: %s\n", path, err);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		(*packets)++;
		if (h->caplen > 0)
			*sum += data[0];
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap-floor: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pcap-floor FILE [FILE ...]\n");
		return 2;
	}
	uint64_t packets = 0, sum = 0;
	double start = now();
	for (int i = 1; i < argc; i++)
		if (read_file(argv[i], &packets, &sum) != 0)
			return 1;
	double secs = now() - start;
	/* The checksum goes to stderr so the compiler cannot drop the reads. */
	fprintf(stderr, "pcap-floor: first-byte sum %llu\n", (unsigned long long)sum);
	printf("packets=%llu seconds=%.6f pps=%.0f\n", (unsigned long long)packets, secs,
	       secs > 0 ? (double)packets / secs : 0.0);
	return 0;
}
