"""Open data needs no key and may be read from any site: the HSDS API answers every origin."""

OPEN_PREFIX = "/api/hsds/"


class OpenDataCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            from django.http import HttpResponse

            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        return response
