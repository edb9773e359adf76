"""xmlcheck: DOCTYPE, entities, XInclude, schema locations and KML links are refused."""

from __future__ import annotations

import pytest

from humansec.errors import IngestError
from humansec.ingest.xmlcheck import check_kml, check_xml

_KML = '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{}</Document></kml>'


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', "DOCTYPE"),
        (b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>', "DOCTYPE"),
        (b'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="x"/></a>', "XInclude"),
        (
            b'<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            b'xsi:schemaLocation="urn:x http://127.0.0.1:9/x.xsd"/>',
            "schemaLocation",
        ),
        (b"<a><b></a>", "not well-formed"),
        (b"", "not well-formed"),
    ],
)
def test_check_xml_refuses(data, fragment) -> None:
    with pytest.raises(IngestError, match=fragment) as caught:
        check_xml(data, what="the part 'x.xml'")
    assert str(caught.value).startswith("The part 'x.xml'")


def test_plain_xml_and_kml_pass() -> None:
    check_xml(b'<?xml version="1.0" encoding="UTF-8"?><a b="c">text</a>', what="x")
    icon = "<Style><IconStyle><Icon><href>http://maps.google.com/i.png</href></Icon></IconStyle></Style>"
    check_kml(
        _KML.format(icon + "<Placemark><styleUrl>#s</styleUrl></Placemark>").encode(), what="x"
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("<NetworkLink><Link><href>http://x/y.kml</href></Link></NetworkLink>", "NetworkLink"),
        ("<Placemark><styleUrl>http://x/s.kml#a</styleUrl></Placemark>", "style on the network"),
        (
            "<Placemark><Model><Link><href>/vsicurl/http://x</href></Link></Model></Placemark>",
            "/vsi",
        ),
    ],
)
def test_check_kml_refuses_links(body, fragment) -> None:
    with pytest.raises(IngestError, match=fragment):
        check_kml(_KML.format(body).encode(), what="the KML 'a.kml'")
