"""The call path: one tool call from the model's arguments to the API and back: arguments, request,
transport, the API's error or the projected result, and the result budget."""
