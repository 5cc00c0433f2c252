/*
 * hugemem.h — zeroed anonymous memory that the kernel may back with transparent huge pages.
 *
 * For the large, long-lived areas of the sensor (flow table, slabs) and acdd (request-body
 * buffers). A mapping of at least 2 MiB starts on a 2 MiB boundary and is advised for huge
 * pages (MADV_HUGEPAGE; a hint: without THP they are plain pages). Either way pages cost
 * memory only once touched. On this kind of VM every page fault and TLB miss goes through
 * the hypervisor, so one fault per 2 MiB instead of 512 counts.
 */
#ifndef ACD_HUGEMEM_H
#define ACD_HUGEMEM_H

#include <stddef.h>

#define HUGEMEM_PAGE ((size_t)2 << 20)

/* `size` bytes of zeroed memory, or NULL; *mapped gets what huge_unmap needs. */
void *huge_map(size_t size, size_t *mapped);
/* Unmaps what huge_map returned (NULL is fine). */
void huge_unmap(void *p, size_t mapped);

#endif
