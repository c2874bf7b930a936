/**
 * Grid (tiled) HEIC files, the way iPhones write every photo: the picture cut into tiles, each tile
 * its own HEVC-coded item, and a 'grid' item that says how they fit together (ISO/IEC 23008-12).
 * Debian's heif-enc (libheif 1.15) cannot write grids, so each tile is encoded by heif-enc and the
 * container around them is written here: the tiles' coded bytes and decoder configurations are
 * copied as they are, so the HEVC is libheif's own.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export interface GridOptions {
  columns: number;
  rows: number;
  /** A tile's side in pixels (iPhones use 512). */
  tile: number;
  /** Turned anticlockwise by this many quarter turns when shown (an 'irot' property on the grid). */
  quarterTurns?: 0 | 1 | 2 | 3;
}

/** Writes `picture` (any image sharp reads, columns x tile by rows x tile pixels) as a grid HEIC at `out`. */
export async function writeGridHeic(picture: string, out: string, work: string, options: GridOptions): Promise<void> {
  const { columns, rows, tile } = options;
  const tiles: { config: Buffer; data: Buffer }[] = [];
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) {
      const png = join(work, `tile-${row}-${column}.png`);
      const heic = join(work, `tile-${row}-${column}.heic`);
      await sharp(picture)
        .extract({ left: column * tile, top: row * tile, width: tile, height: tile })
        .png()
        .toFile(png);
      execFileSync('heif-enc', ['-q', '85', '-o', heic, png], { stdio: 'ignore' });
      tiles.push(codedImage(readFileSync(heic)));
    }
  }
  writeFileSync(out, gridFile(tiles, options));
}

/** The one image of a file heif-enc wrote: its decoder configuration box (hvcC) and its coded bytes. */
function codedImage(file: Buffer): { config: Buffer; data: Buffer } {
  const meta = children(file, 0, file.length).find((b) => b.type === 'meta')!;
  const inMeta = children(file, meta.body + 4, meta.end); // a full box: version and flags first
  const ipco = children(file, inMeta.find((b) => b.type === 'iprp')!.body, inMeta.find((b) => b.type === 'iprp')!.end).find(
    (b) => b.type === 'ipco',
  )!;
  const hvcC = children(file, ipco.body, ipco.end).find((b) => b.type === 'hvcC')!;
  const iloc = inMeta.find((b) => b.type === 'iloc')!;
  const { offset, length } = onlyExtent(file.subarray(iloc.body, iloc.end));
  return { config: file.subarray(hvcC.start, hvcC.end), data: file.subarray(offset, offset + length) };
}

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

function children(file: Buffer, from: number, to: number): Box[] {
  const boxes: Box[] = [];
  for (let at = from; at + 8 <= to;) {
    const size = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const header = size === 1 ? 16 : 8;
    const end = size === 1 ? at + Number(file.readBigUInt64BE(at + 8)) : size === 0 ? to : at + size;
    boxes.push({ type, start: at, body: at + header, end });
    at = end;
  }
  return boxes;
}

/** The single extent of the single item of an 'iloc' box heif-enc wrote (versions 0 to 2). */
function onlyExtent(iloc: Buffer): { offset: number; length: number } {
  const version = iloc[0]!;
  let at = 4;
  const offsetSize = iloc[at]! >> 4;
  const lengthSize = iloc[at]! & 15;
  const baseOffsetSize = iloc[at + 1]! >> 4;
  const indexSize = version >= 1 ? iloc[at + 1]! & 15 : 0;
  at += 2;
  const read = (size: number) => {
    const value = size === 0 ? 0 : size === 4 ? iloc.readUInt32BE(at) : Number(iloc.readBigUInt64BE(at));
    at += size;
    return value;
  };
  at += version < 2 ? 2 : 4; // item count: 1
  at += version < 2 ? 2 : 4; // item id
  if (version >= 1) at += 2; // construction method: 0, in the file
  at += 2; // data reference index
  const base = read(baseOffsetSize);
  at += 2; // extent count: 1
  read(indexSize);
  const offset = read(offsetSize);
  return { offset: base + offset, length: read(lengthSize) };
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function fullBox(type: string, version: number, ...parts: Buffer[]): Buffer {
  return flaggedBox(type, version, 0, ...parts);
}

function flaggedBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  return box(type, Buffer.from([version, (flags >> 16) & 255, (flags >> 8) & 255, flags & 255]), ...parts);
}

const u8 = (...values: number[]) => Buffer.from(values);
function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
  return b;
}
function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v, 4 * i));
  return b;
}

/** ftyp, meta (the grid item 1 and the tiles 2..n+1), mdat (the tiles' coded bytes). */
function gridFile(tiles: { config: Buffer; data: Buffer }[], options: GridOptions): Buffer {
  const { columns, rows, tile } = options;
  const GRID = 1;
  const ids = tiles.map((_, i) => i + 2);
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const grid = Buffer.concat([u8(0, 0, rows - 1, columns - 1), u16(columns * tile, rows * tile)]);
  // Tiles are hidden items (flag 1), as phones write them: only the grid is a picture of its own.
  const infe = (id: number, type: string) => flaggedBox('infe', 2, type === 'grid' ? 0 : 1, u16(id, 0), Buffer.from(type, 'latin1'), u8(0));
  // Properties, 1-based: the grid's size (and turn), then each tile's size and decoder configuration.
  const properties = [
    fullBox('ispe', 0, u32(columns * tile, rows * tile)),
    fullBox('ispe', 0, u32(tile, tile)),
    ...(options.quarterTurns ? [box('irot', u8(options.quarterTurns))] : []),
    ...tiles.map((t) => t.config),
  ];
  const firstConfig = options.quarterTurns ? 4 : 3;
  const essential = (index: number) => 0x80 | index;
  const ipma = fullBox(
    'ipma',
    0,
    u32(1 + tiles.length),
    u16(GRID),
    options.quarterTurns ? u8(2, 1, essential(3)) : u8(1, 1),
    ...ids.map((id, i) => Buffer.concat([u16(id), u8(2, 2, essential(firstConfig + i))])),
  );
  const meta = (tileOffset: number) => {
    const extents: Buffer[] = [];
    let offset = tileOffset;
    for (const [i, t] of tiles.entries()) {
      // item id, construction method 0 (in the file), data reference 0, one extent.
      extents.push(Buffer.concat([u16(ids[i]!, 0, 0, 1), u32(offset, t.data.length)]));
      offset += t.data.length;
    }
    const iloc = fullBox(
      'iloc',
      1,
      u8(0x44, 0x00), // offsets and lengths of 4 bytes, no base offset, no index
      u16(1 + tiles.length),
      u16(GRID, 1, 0, 1), // construction method 1: in the idat box
      u32(0, grid.length),
      ...extents,
    );
    return fullBox(
      'meta',
      0,
      fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), u32(0, 0, 0), u8(0)),
      fullBox('pitm', 0, u16(GRID)),
      iloc,
      fullBox('iinf', 0, u16(1 + tiles.length), infe(GRID, 'grid'), ...ids.map((id) => infe(id, 'hvc1'))),
      fullBox('iref', 0, box('dimg', u16(GRID, ids.length, ...ids))),
      box('iprp', box('ipco', ...properties), ipma),
      box('idat', grid),
    );
  };
  // The tiles' offsets depend on the meta box's size, which does not depend on their values.
  const tileOffset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(tileOffset), box('mdat', ...tiles.map((t) => t.data))]);
}
