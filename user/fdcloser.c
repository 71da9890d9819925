// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A queue of descriptors and one thread that closes them. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "fdcloser.h"

struct fdcloser {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int *fds;
	size_t n, cap;
	int stop;
};

static void *run(void *arg)
{
	struct fdcloser *fc = arg;
	int fd, done = 0;

	while (!done) {
		pthread_mutex_lock(&fc->lock);
		while (!fc->n && !fc->stop)
			pthread_cond_wait(&fc->wake, &fc->lock);
		fd = fc->n ? fc->fds[--fc->n] : -1;
		done = fd < 0 && fc->stop;
		pthread_mutex_unlock(&fc->lock);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

struct fdcloser *fdcloser__new(void)
{
	struct fdcloser *fc = calloc(1, sizeof(*fc));
	int err;

	if (!fc) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&fc->lock, NULL);
	pthread_cond_init(&fc->wake, NULL);
	err = pthread_create(&fc->thread, NULL, run, fc);
	if (err) {
		pthread_cond_destroy(&fc->wake);
		pthread_mutex_destroy(&fc->lock);
		free(fc);
		errno = err;
		fc = NULL;
	}
	return fc;
}

void fdcloser__close(struct fdcloser *fc, int fd)
{
	size_t cap;
	int *nf, queued = 0;

	pthread_mutex_lock(&fc->lock);
	if (fc->n == fc->cap) {
		cap = fc->cap ? fc->cap * 2 : 16;
		nf = realloc(fc->fds, cap * sizeof(*nf));
		if (nf) {
			fc->fds = nf;
			fc->cap = cap;
		}
	}
	if (fc->n < fc->cap) {
		fc->fds[fc->n++] = fd;
		queued = 1;
		pthread_cond_signal(&fc->wake);
	}
	pthread_mutex_unlock(&fc->lock);
	if (!queued)
		close(fd);
}

void fdcloser__free(struct fdcloser *fc)
{
	if (!fc)
		return;
	pthread_mutex_lock(&fc->lock);
	fc->stop = 1;
	pthread_cond_signal(&fc->wake);
	pthread_mutex_unlock(&fc->lock);
	pthread_join(fc->thread, NULL);
	pthread_cond_destroy(&fc->wake);
	pthread_mutex_destroy(&fc->lock);
	free(fc->fds);
	free(fc);
}
