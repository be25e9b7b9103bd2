// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest of the package proof: a bare-metal program that QEMU boots
 * with -kernel (multiboot), in 32-bit protected mode without paging, so
 * guest-physical addresses are the program's own pointers.  It finds the
 * edu device passed through to it, has edu's DMA engine copy a buffer of
 * guest memory into the device and back out to another buffer, and checks
 * that exactly the bytes it asked for arrived, and nothing around them.
 * It says what it found on COM1 and leaves through isa-debug-exit:
 * QEMU exits with status 33 on success, 35 on failure.
 */
#include <stdint.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_IDENT 0x00
#define EDU_LIVENESS 0x04
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_RUN 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_BUFFER 0x40000	/* edu's own 4 KiB, in its DMA space */

#define XFER 3000		/* crosses a page boundary in both buffers */
#define SENTINEL 0xee
#define EXIT_OK 0x10
#define EXIT_FAIL 0x11

/* Multiboot v1: magic, flags 0 (addresses from the ELF headers), checksum. */
__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t multiboot_header[3] = {
	0x1badb002, 0, (uint32_t)-0x1badb002
};

static uint8_t stack[16384] __attribute__((aligned(16), used));
static uint8_t src[8192] __attribute__((aligned(4096)));
static uint8_t dst[8192] __attribute__((aligned(4096)));

void guest_main(void);

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack + 16384, %esp\n"
	"	call guest_main\n"
	"1:	hlt\n"
	"	jmp 1b\n");

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(char c)
{
	while (!(inb(0x3f8 + 5) & 0x20))
		;
	outb(0x3f8, c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void puthex(uint32_t v)
{
	puts_serial("0x");
	for (int i = 28; i >= 0; i -= 4)
		putc_serial("0123456789abcdef"[(v >> i) & 0xf]);
}

static void leave(const char *why, uint32_t what, int ok)
{
	puts_serial("edu-guest: ");
	puts_serial(why);
	puthex(what);
	puts_serial("\n");
	outb(0xf4, ok ? EXIT_OK : EXIT_FAIL);
	for (;;)
		__asm__ volatile("hlt");
}

static uint32_t pci_config(uint32_t dev, uint32_t off)
{
	outl(0xcf8, 0x80000000 | dev << 11 | (off & 0xfc));
	return inl(0xcfc);
}

static void pci_config_write(uint32_t dev, uint32_t off, uint32_t v)
{
	outl(0xcf8, 0x80000000 | dev << 11 | (off & 0xfc));
	outl(0xcfc, v);
}

static volatile uint32_t *edu_reg(uint32_t bar, uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(bar + off);
}

static void edu_dma(uint32_t bar, uint32_t from, uint32_t to, uint32_t cmd)
{
	*edu_reg(bar, EDU_DMA_SRC) = from;
	*edu_reg(bar, EDU_DMA_DST) = to;
	*edu_reg(bar, EDU_DMA_COUNT) = XFER;
	*edu_reg(bar, EDU_DMA_CMD) = cmd | EDU_DMA_RUN;
	while (*edu_reg(bar, EDU_DMA_CMD) & EDU_DMA_RUN)
		;
}

void guest_main(void)
{
	uint32_t dev, bar, id, from, to;
	unsigned int i;

	puts_serial("edu-guest: started\n");
	for (dev = 0; dev < 32; dev++)
		if (pci_config(dev, 0) == (EDU_DEVICE << 16 | EDU_VENDOR))
			break;
	if (dev == 32)
		leave("FAIL no edu on bus 0, devices seen up to ", dev, 0);
	bar = pci_config(dev, 0x10) & ~0xfu;
	if (!bar)
		leave("FAIL edu BAR0 unassigned, device ", dev, 0);
	/* Memory decoding and bus mastering; status bits written as 0. */
	pci_config_write(dev, 0x04, (pci_config(dev, 0x04) & 0xffff) | 0x6);

	id = *edu_reg(bar, EDU_IDENT);
	if ((id & 0xff) != 0xed)
		leave("FAIL edu ident ", id, 0);
	*edu_reg(bar, EDU_LIVENESS) = 0x12345678;
	if (*edu_reg(bar, EDU_LIVENESS) != ~0x12345678u)
		leave("FAIL edu liveness ", *edu_reg(bar, EDU_LIVENESS), 0);

	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(dst); i++)
		dst[i] = SENTINEL;
	from = (uint32_t)(uintptr_t)src + 2048;
	to = (uint32_t)(uintptr_t)dst + 3072;
	puts_serial("edu-guest: DMA guest ");
	puthex(from);
	puts_serial(" -> edu -> guest ");
	puthex(to);
	puts_serial("\n");
	edu_dma(bar, from, EDU_BUFFER, 0);
	edu_dma(bar, EDU_BUFFER, to, EDU_DMA_TO_RAM);

	for (i = 0; i < sizeof(dst); i++) {
		int inside = i >= 3072 && i < 3072 + XFER;
		uint8_t want = inside ? src[2048 + i - 3072] : SENTINEL;

		if (dst[i] != want)
			leave("FAIL wrong byte in guest memory at offset ", i, 0);
	}
	leave("DMA OK: bytes copied exactly, nothing around them touched: ",
	      XFER, 1);
}
