"""XML checked before any parser that resolves entities or fetches references (GDAL, openpyxl).

Refused: a DOCTYPE (and so every entity: billion laughs, external entities), XInclude,
``xsi:schemaLocation`` and other references a reader could fetch; in KML also network links
and references to GDAL's virtual file systems (``/vsi...``) or URLs in style references.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml import ElementTree as SafeElementTree

from humansec.errors import IngestError

_XINCLUDE = "{http://www.w3.org/2001/XInclude}"
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_SCHEMA_ATTRIBUTES = (f"{_XSI}schemaLocation", f"{_XSI}noNamespaceSchemaLocation")
_URL_MARKERS = ("://", "/vsi")


def check_xml(data: bytes, *, what: str) -> None:
    """Refuse XML with a DOCTYPE, entities, XInclude or schema locations; parse errors too.

    Parameters
    ----------
    data
        The XML document.
    what
        How the message names the document (``"the KML 'sites.kml'"``).

    >>> check_xml(b"<a><b/></a>", what="the test")
    >>> try:
    ...     check_xml(b"<!DOCTYPE a><a/>", what="the test")
    ... except IngestError as error:
    ...     print(str(error)[:40])
    The test has a DOCTYPE declaration, whic

    """
    for _element in _elements(data, what=what):
        pass


def check_kml(data: bytes, *, what: str) -> None:
    """``check_xml`` plus what a KML reader could follow to the network or to local files.

    Refused: ``<NetworkLink>``, and any ``/vsi`` path, and URLs in ``styleUrl`` or in links
    other than icons (icons are never fetched by the reader).
    """
    for element in _elements(data, what=what):
        tag = _local(element.tag)
        text = (element.text or "").strip()
        if tag == "NetworkLink":
            msg = (
                f"{_cap(what)} has a <NetworkLink>, which points to data elsewhere that "
                "humansec does not fetch. Download the linked data and upload it instead."
            )
            raise IngestError(msg)
        if "/vsi" in text.lower() or any("/vsi" in v.lower() for v in element.attrib.values()):
            msg = (
                f"{_cap(what)} names a GDAL virtual path ('/vsi...') in <{tag}>; it is "
                "refused. Remove it and upload again."
            )
            raise IngestError(msg)
        if tag == "styleUrl" and "://" in text:
            msg = (
                f"{_cap(what)} refers to a style on the network ({text[:80]!r}); it is "
                "refused. Keep the styles inside the KML and upload again."
            )
            raise IngestError(msg)


def _elements(data: bytes, *, what: str) -> Iterator[Element]:
    fix = "Save the file again without it (a plain export from the source program) and upload."
    try:
        for _event, element in SafeElementTree.iterparse(
            io.BytesIO(data),
            events=("start",),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if element.tag.startswith(_XINCLUDE):
                msg = f"{_cap(what)} uses XInclude to pull in other files. {fix}"
                raise IngestError(msg)
            for attribute in _SCHEMA_ATTRIBUTES:
                if attribute in element.attrib:
                    msg = (
                        f"{_cap(what)} names schema locations (xsi:schemaLocation) that "
                        f"a reader could fetch from the network. {fix}"
                    )
                    raise IngestError(msg)
            yield element
    except DTDForbidden:
        msg = f"{_cap(what)} has a DOCTYPE declaration, which is refused. {fix}"
        raise IngestError(msg) from None
    except EntitiesForbidden:
        msg = f"{_cap(what)} declares XML entities, which are refused. {fix}"
        raise IngestError(msg) from None
    except DefusedXmlException:
        msg = f"{_cap(what)} refers to external resources, which is refused. {fix}"
        raise IngestError(msg) from None
    except ParseError as exc:
        msg = (
            f"{_cap(what)} is not well-formed XML ({exc}). Export it again from its source program."
        )
        raise IngestError(msg) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _cap(what: str) -> str:
    return what[:1].upper() + what[1:]
