/*
 * The guest executor's flat image (build/guest/guest.bin), page aligned so
 * that its pages can be mapped into a VM's stage 2 as they are.
 */
	.section .rodata.guest, "a"
	.balign 4096
	.global guest_blob_start
	.global guest_blob_end
guest_blob_start:
	.incbin "guest.bin"
guest_blob_end:
	.balign 4096
