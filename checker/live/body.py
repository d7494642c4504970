"""Bounded reads of response bodies: the overall deadline and a size limit
apply while a body arrives."""

from __future__ import annotations

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

from checker.errors import ApiError
from checker.live.transport import Deadline

# Bytes requested per read of a response body.
_BODY_READ_SIZE = 64 * 1024


def read_body(
    response: requests.Response, deadline: Deadline, max_bytes: int, action: str
) -> None:
    """Read the body of a streamed response (``stream=True``) into ``content``.

    The deadline is checked before every read. Each read returns the bytes
    that have arrived (``read1``), so a body that arrives slowly ends the read
    at most one ``read_timeout`` after the deadline. A body longer than
    ``max_bytes`` after content decoding raises ``ApiError``. Transport
    failures raise the ``requests`` exceptions that ``Response.content``
    raises, so callers handle them the same way.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise _too_large(action, max_bytes)

    raw = response.raw
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            deadline.check()
            chunk = raw.read1(_BODY_READ_SIZE, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(action, max_bytes)
            chunks.append(chunk)
    except ProtocolError as exc:
        response.close()
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except DecodeError as exc:
        response.close()
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except ReadTimeoutError as exc:
        response.close()
        raise requests.exceptions.ReadTimeout(exc, request=response.request) from exc
    except SSLError as exc:
        response.close()
        raise requests.exceptions.SSLError(exc, request=response.request) from exc
    except BaseException:
        response.close()
        raise
    # requests has no public way to set the body of a streamed response.
    # Response.content returns _content once it is set.
    response._content = b"".join(chunks)


def _too_large(action: str, max_bytes: int) -> ApiError:
    return ApiError(
        f"{action} failed: the response body is larger than {max_bytes} bytes",
        hint="check the organization URL and any proxy: an Organization API "
        "response is far smaller",
    )
