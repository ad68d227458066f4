"""From an upload to pages of words with boxes: text layer, OCR, images, OFD, XML, seals, QR codes."""
