/**
 * "Tōkyō" -> "Tokyo", "Zürich" -> "Zurich": what people type without a special keyboard. One
 * folding for the gazetteer, the API's name matching and the script that names the regions, so all
 * of them compare names alike.
 */
export function withoutAccents(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}
