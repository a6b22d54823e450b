// SPDX-License-Identifier: GPL-2.0
/*
 * storm: the pipeline benchmark's workload. Opens and closes /dev/null in a tight loop for the
 * given number of milliseconds and prints the number of open+close pairs done, one line.
 * Usage: storm <milliseconds> [path] [cpu]   (cpu: pin to that CPU first)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long ms, end, n = 0;
	const char *path = argc > 2 ? argv[2] : "/dev/null";

	if (argc < 2) {
		fprintf(stderr, "usage: storm <milliseconds> [path]\n");
		return 2;
	}
	if (argc > 3) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(argv[3]), &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			perror("storm: sched_setaffinity");
	}
	ms = atoll(argv[1]);
	end = now_ns() + ms * 1000000LL;
	for (;;) {
		for (int i = 0; i < 256; i++) {
			int fd = open(path, O_RDONLY);

			if (fd >= 0)
				close(fd);
			n++;
		}
		if (now_ns() >= end)
			break;
	}
	printf("%lld\n", n);
	return 0;
}
