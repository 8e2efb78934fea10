/* dist.h - one training run spread over processes (data parallelism with MPI:
 * `make MPI=1`, then `mpirun -np N attnclf train ...`): which process this is,
 * and the few collective operations training needs, over MPI_COMM_WORLD.
 *
 * Built without MPI (dist_none.c), or started without mpirun, there is one
 * process and every operation is the identity, so the plain binary and
 * `mpirun -np 1` run the same code to the same bits.
 *
 * Collectives are called from the main thread only (MPI_THREAD_FUNNELED), by
 * every process, in the same order. Results that every process computes from
 * gathered values are summed in rank order, so they are the same bits on every
 * process and in every run with the same N. */
#ifndef ATTNCLF_DIST_H
#define ATTNCLF_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Joins the job when started by mpirun (MPI built in); otherwise a single
 * process. With train.threads 0, the cores are shared among the processes on
 * a host (OMP_NUM_THREADS, when set, wins). Call before any OpenMP region. */
int dist_init(int *argc, char ***argv, Status *st);
/* Leaves the job (after the last collective). */
void dist_finalize(void);
int dist_rank(void);
int dist_size(void);

/* 1 on every process when flag is non-zero on any. */
int dist_any(int flag);
/* The largest v of any process, on every process. */
int dist_max(int v);
/* Every process's n bytes at mine, in rank order, into all [size * n]. */
void dist_allgather(const void *mine, size_t n, void *all);
/* Every process's counts[rank] bytes at mine, in rank order, into all
 * (sum of counts bytes); counts [size] must be known to all. */
void dist_allgatherv(const void *mine, void *all, const size_t *counts);
/* Waits for every process without keeping a core busy: the others may still
 * be working (rank 0 building the token cache). */
void dist_wait_all(void);
/* Ends every process of the job with exit code `code` after printing msg. */
void dist_abort(const char *msg, int code);

#endif
