import QRCode from 'qrcode';

/** QR codes for links: PNG for print and chat, SVG for the web. Medium error correction. */
export async function qrPng(text: string, width = 512): Promise<Uint8Array> {
  return QRCode.toBuffer(text, { type: 'png', width, margin: 2, errorCorrectionLevel: 'M' });
}

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}
