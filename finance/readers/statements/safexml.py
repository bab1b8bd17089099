"""XML read only through defusedxml: no DTD, hence no entity, internal or external."""

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from finance.readers.statements.errors import Code, FileError


def parse(content: bytes) -> ET.Element:
    """The tree of an OFX 2 (or any XML) file, read by defusedxml with DTDs refused."""
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise FileError(Code.XML_FORBIDDEN, type(e).__name__) from None
    except ET.ParseError as e:
        raise FileError(Code.MALFORMED, f"XML: {e}") from None
    except LookupError as e:  # an encoding the declaration names and Python does not know
        raise FileError(Code.BAD_ENCODING, f"XML: {e}") from None
    # ofxtools' own parser strips the text between tags; do the same for its converter.
    for element in root.iter():
        element.text = element.text.strip() if element.text and element.text.strip() else None
        element.tail = None
    return root
