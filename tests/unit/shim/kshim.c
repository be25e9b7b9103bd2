// SPDX-License-Identifier: GPL-2.0-only
/* The parts of the kernel shim that are not inline: see kshim.h. */
#include "kshim.h"

unsigned long kshim_warnings;
unsigned long kshim_uaccess_fail;
unsigned long kshim_alloc_fail;

void interval_tree_insert(struct interval_tree_node *node,
			  struct rb_root_cached *root)
{
	struct rb_node **pos = &root->rb_root.rb_node;

	while (*pos && container_of(*pos, struct interval_tree_node,
				    rb)->start <= node->start)
		pos = &(*pos)->next;
	node->rb.next = *pos;
	*pos = &node->rb;
}

void interval_tree_remove(struct interval_tree_node *node,
			  struct rb_root_cached *root)
{
	struct rb_node **pos = &root->rb_root.rb_node;

	while (*pos && *pos != &node->rb)
		pos = &(*pos)->next;
	if (*pos)
		*pos = node->rb.next;
}

static struct interval_tree_node *
kshim_overlap_from(struct rb_node *rb, unsigned long start,
		   unsigned long last)
{
	for (; rb; rb = rb->next) {
		struct interval_tree_node *node =
			container_of(rb, struct interval_tree_node, rb);

		if (node->start > last)
			return NULL;
		if (node->last >= start)
			return node;
	}
	return NULL;
}

struct interval_tree_node *
interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
			 unsigned long last)
{
	return kshim_overlap_from(root->rb_root.rb_node, start, last);
}

struct interval_tree_node *
interval_tree_iter_next(struct interval_tree_node *node, unsigned long start,
			unsigned long last)
{
	return kshim_overlap_from(node->rb.next, start, last);
}
