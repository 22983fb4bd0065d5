// Package swiftstatus holds the reasons and default bodies Swift gives its
// HTTP statuses (swob's RESPONSE_REASONS), shared by the storage servers
// and the proxy so that every error a client or node sees reads as
// Swift's.
package swiftstatus

import "fmt"

// ClientDisconnect is Swift's status for a client that went away (or sent
// fewer bytes than it announced) during the request.
const ClientDisconnect = 499

// reasons are the title and explanation of each status; a status without
// an explanation has an empty default body.
var reasons = map[int][2]string{
	200: {"OK", ""},
	201: {"Created", ""},
	202: {"Accepted", "The request is accepted for processing."},
	204: {"No Content", ""},
	206: {"Partial Content", ""},
	301: {"Moved Permanently", "The resource has moved permanently."},
	302: {"Found", "The resource has moved temporarily."},
	304: {"Not Modified", ""},
	400: {"Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect."},
	401: {"Unauthorized", "This server could not verify that you are authorized to access the document you requested."},
	402: {"Payment Required", "Access was denied for financial reasons."},
	403: {"Forbidden", "Access was denied to this resource."},
	404: {"Not Found", "The resource could not be found."},
	405: {"Method Not Allowed", "The method is not allowed for this resource."},
	406: {"Not Acceptable", "The resource is not available in a format acceptable to your browser."},
	408: {"Request Timeout", "The server has waited too long for the request to be sent by the client."},
	409: {"Conflict", "There was a conflict when trying to complete your request."},
	410: {"Gone", "This resource is no longer available."},
	411: {"Length Required", "Content-Length header required."},
	412: {"Precondition Failed", "A precondition for this request was not met."},
	413: {"Request Entity Too Large", "The body of your request was too large for this server."},
	414: {"Request URI Too Long", "The request URI was too long for this server."},
	415: {"Unsupported Media Type", "The request media type is not supported by this server."},
	416: {"Requested Range Not Satisfiable", "The Range requested is not available."},
	417: {"Expectation Failed", "Expectation failed."},
	422: {"Unprocessable Entity", "Unable to process the contained instructions"},
	499: {"Client Disconnect", "The client was disconnected during request."},
	500: {"Internal Error", "The server has either erred or is incapable of performing the requested operation."},
	501: {"Not Implemented", "The requested method is not implemented by this server."},
	502: {"Bad Gateway", "Bad gateway."},
	503: {"Service Unavailable", "The server is currently unavailable. Please try again at a later time."},
	504: {"Gateway Timeout", "A timeout has occurred speaking to a backend server."},
	507: {"Insufficient Storage", "There was not enough space to save the resource. Drive: %s"},
}

// Reason is the status's title ("Not Found"), or "" if Swift has none.
func Reason(status int) string { return reasons[status][0] }

// Body is swob's default body for a status: "<html><h1>title</h1><p>
// explanation</p></html>", empty for statuses without an explanation.
// drive fills the 507 text ("unknown" if empty).
func Body(status int, drive string) string {
	r, ok := reasons[status]
	if !ok || r[1] == "" {
		return ""
	}
	exp := r[1]
	if status == 507 {
		if drive == "" {
			drive = "unknown"
		}
		exp = fmt.Sprintf(exp, drive)
	}
	return "<html><h1>" + r[0] + "</h1><p>" + exp + "</p></html>"
}
