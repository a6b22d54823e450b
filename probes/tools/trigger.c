// SPDX-License-Identifier: GPL-2.0
/*
 * trigger: performs one system call (or a short sequence) named on the command line, for the kernel
 * tests. It ignores the call's result (failures are events too) and exits 0 unless the usage is wrong.
 * Usage: trigger [-C dir] [-g cgroupdir] [-u uid] ACTION ARGS...
 *   -C: chdir first; -g: join that cgroup v2 directory first; -u: drop to that uid/gid first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: trigger [-C dir] action args...\n");
	return 2;
}

static struct sockaddr_in v4(const char *ip, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

int main(int argc, char **argv)
{
	const char *a;
	int i = 1;

	while (i + 2 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && chdir(argv[i + 1]) < 0)
			return 3;
		if (strcmp(argv[i], "-g") == 0) { /* join the cgroup v2 directory first */
			char procs[4096];
			FILE *f;

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[i + 1]);
			f = fopen(procs, "w");
			if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0)
				return 3;
		}
		if (strcmp(argv[i], "-u") == 0 &&
		    (setgid(atoi(argv[i + 1])) < 0 || setuid(atoi(argv[i + 1])) < 0))
			return 3;
		i += 2;
	}
	if (i >= argc)
		return usage();
	a = argv[i++];
#define ARG(n) (i + (n) < argc ? argv[i + (n)] : "")
	if (!strcmp(a, "open")) {
		int fd = open(ARG(0), O_RDONLY);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(a, "openat")) { /* openat DIR REL: dirfd-relative */
		int d = open(ARG(0), O_RDONLY | O_DIRECTORY);
		int fd = openat(d, ARG(1), O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(
		       a, "openat2")) { /* openat2 PATH: O_RDONLY|O_NOFOLLOW, RESOLVE_NO_SYMLINKS */
		struct {
			unsigned long long flags, mode, resolve;
		} how = {O_RDONLY | O_NOFOLLOW, 0, 0x04};
		int fd = syscall(SYS_openat2, AT_FDCWD, ARG(0), &how, sizeof(how));
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(a, "exec-memfd")) { /* copy PROGRAM into a memfd and fexecve it */
		int m = memfd_create("payload", 0), src = open(ARG(0), O_RDONLY);
		char buf[65536];
		ssize_t n;
		char *args[] = {"payload", NULL};
		extern char **environ;

		while ((n = read(src, buf, sizeof(buf))) > 0)
			if (write(m, buf, n) != n)
				return 5;
		fexecve(m, args, environ);
		return 0;
	} else if (!strcmp(a, "creat")) {
		int fd = open(ARG(0), O_WRONLY | O_CREAT | O_TRUNC, 0640);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(a, "unlink")) {
		unlink(ARG(0));
	} else if (!strcmp(a, "rename")) {
		rename(ARG(0), ARG(1));
	} else if (!strcmp(a, "mkdir")) {
		mkdir(ARG(0), 0750);
	} else if (!strcmp(a, "rmdir")) {
		rmdir(ARG(0));
	} else if (!strcmp(a, "chmod")) {
		chmod(ARG(0), 0600);
	} else if (!strcmp(a, "fchmod")) {
		int fd = open(ARG(0), O_RDONLY);
		fchmod(fd, 0604);
	} else if (!strcmp(a, "chown")) {
		chown(ARG(0), 1234, 4321);
	} else if (!strcmp(a, "link")) {
		link(ARG(0), ARG(1));
	} else if (!strcmp(a, "symlink")) {
		symlink(ARG(0), ARG(1));
	} else if (!strcmp(a, "truncate")) {
		truncate(ARG(0), 7);
	} else if (!strcmp(a, "exec")) { /* exec PATH ARGS...: execve, failure returns here */
		execv(ARG(0), &argv[i]);
		return 0;
	} else if (!strcmp(a, "fork")) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	} else if (!strcmp(a, "exit")) {
		exit(atoi(ARG(0)));
	} else if (!strcmp(a, "kill-self")) {
		raise(SIGKILL);
	} else if (!strcmp(a, "tcp-connect")) { /* tcp-connect IP PORT */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = v4(ARG(0), atoi(ARG(1)));
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
	} else if (!strcmp(a, "tcp-connect6")) {
		int s = socket(AF_INET6, SOCK_STREAM, 0);
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6,
					  .sin6_port = htons(atoi(ARG(1)))};
		inet_pton(AF_INET6, ARG(0), &sa.sin6_addr);
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
	} else if (!strcmp(a, "tcp-server")) { /* tcp-server IP PORT: bind, listen, accept one */
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		struct sockaddr_in sa = v4(ARG(0), atoi(ARG(1)));
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 7) < 0)
			return 4;
		printf("listening\n");
		fflush(stdout);
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			close(c);
	} else if (!strcmp(a, "udp-sendto")) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in sa = v4(ARG(0), atoi(ARG(1)));
		sendto(s, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	} else if (!strcmp(a, "unix-connect")) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		strncpy(sa.sun_path, ARG(0), sizeof(sa.sun_path) - 1);
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
	} else if (!strcmp(a, "dup-socket")) { /* dup2 a connected TCP socket onto fd 1
						  (reverse-shell shape) */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = v4(ARG(0), atoi(ARG(1)));
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
		dup2(s, 1);
	} else if (!strcmp(a, "dup-file")) {
		int fd = open(ARG(0), O_RDONLY);
		dup3(fd, 9, O_CLOEXEC);
	} else if (!strcmp(a, "setuid")) {
		setuid(atoi(ARG(0)));
	} else if (!strcmp(a, "setresgid")) {
		setresgid(-1, atoi(ARG(0)), -1);
	} else if (!strcmp(a, "ptrace")) {
		ptrace(PTRACE_ATTACH, atoi(ARG(0)), 0, 0);
	} else if (!strcmp(a, "memfd")) {
		memfd_create(ARG(0), MFD_CLOEXEC);
	} else if (!strcmp(a, "unshare")) {
		unshare(CLONE_NEWUTS);
	} else if (!strcmp(a,
			   "mount")) { /* mount SRC TARGET FSTYPE (expected to fail or succeed) */
		mount(ARG(0), ARG(1), ARG(2), MS_RDONLY, NULL);
	} else if (!strcmp(a, "umount")) {
		umount2(ARG(0), MNT_DETACH);
	} else if (!strcmp(a, "delete-module")) {
		syscall(SYS_delete_module, ARG(0), O_NONBLOCK);
	} else if (!strcmp(a, "bpf")) {
		syscall(SYS_bpf, 1234, NULL, 0);
	} else if (!strcmp(a, "capset")) {
		struct {
			unsigned int version;
			int pid;
		} hdr = {0x20080522, 0};
		struct {
			unsigned int e, p, i;
		} data[2];
		syscall(SYS_capget, &hdr, data);
		data[0].e &= ~(1u << 1);
		syscall(SYS_capset, &hdr, data);
	} else {
		return usage();
	}
	return 0;
}
