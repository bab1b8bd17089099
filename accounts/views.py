"""Cabinet pages of accounts: sign-up, login, passwords, settings, bot tokens."""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from accounts import forms, selectors, services, throttle
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ApiToken
from accounts.password_reset import password_reset_send, password_reset_user
from botapi import prompt, snippets

TOO_MANY_ATTEMPTS = gettext_lazy("Too many attempts. Wait a few minutes and try again.")
WELCOME_RECORD = gettext_lazy("Welcome to Kopilka! Record your first expense below.")
CHOSEN = gettext_lazy(
    "Amounts typed without a currency are recorded in %(currency)s, and days follow the "
    "time zone %(zone)s; both can be changed in Settings."
)


def _throttled(request: HttpRequest, group: str, key: str, rate: str) -> bool:
    return bool(
        is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: a bare word would be read as a view's name (a 500).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    throttled = request.method == "POST" and throttle.login_throttled(
        request, request.POST.get("username", "")
    )
    if throttled:
        # Unbound: a throttled attempt must not even reach the password check.
        form = AuthenticationForm(request, initial={"username": request.POST.get("username")})
    elif request.method == "POST" and form.is_valid():
        auth.login(request, form.get_user())
        return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), "throttled": throttled}
    return render(request, "accounts/login.html", context, status=429 if throttled else 200)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("finance:dashboard")
    # Bound on every POST, even an empty one: a throttled attempt adds its error to it.
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _throttled(request, "signup", "accounts.throttle.ip_key", settings.SIGNUP_RATE_PER_IP):
            form.add_error(None, str(TOO_MANY_ATTEMPTS))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            user = services.user_create(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                language=data["language"],
                default_currency=data["default_currency"],
                timezone_name=data["timezone"],
                source="web",
            )
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            going_on = bool(request.POST.get("next") or request.GET.get("next"))
            with translation.override(user.language):  # the next page speaks it
                chosen = CHOSEN % {"currency": user.default_currency, "zone": user.timezone}
                # Going on to an invitation's page, say, there is no form to record on.
                welcome = _("Welcome to Kopilka!") if going_on else str(WELCOME_RECORD)
                messages.success(request, f"{welcome} {chosen}")
            if going_on:
                return redirect(_next_url(request))
            return redirect("finance:add_transaction")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context = {"form": form, "next": next_url}
    return render(request, "accounts/signup.html", context, status=status)


@login_required
@sensitive_post_parameters()
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_set_password(
            user=request.user, password=form.cleaned_data["new_password1"], source="web"
        )
        auth.update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:settings")
    return render(request, "accounts/password_change.html", {"form": form})


def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        limit = settings.PASSWORD_RESET_RATE_PER_IP
        if _throttled(request, "password-reset", "accounts.throttle.ip_key", limit):
            form.add_error(None, str(TOO_MANY_ATTEMPTS))
            status = 429
        elif form.is_valid():
            base_url = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
            password_reset_send(email=form.cleaned_data["email"], base_url=base_url)
            return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


@sensitive_post_parameters()
@never_cache
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/password_reset_confirm.html", {"valid": False})
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            user=user, password=form.cleaned_data["new_password1"], source="web"
        )
        messages.success(request, _("Your password has been set. You can log in now."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"valid": True, "form": form})


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "default_currency": user.default_currency,
        "timezone": user.timezone,
        "language": user.language,
    }
    form = forms.SettingsForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_settings(
                user=user,
                default_currency=form.cleaned_data["default_currency"],
                timezone_name=form.cleaned_data["timezone"],
                language=form.cleaned_data["language"],
                source="web",
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Settings saved."))
            response = redirect("accounts:settings")
            # The next page (and the login page after logging out) speaks the new language.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    return render(request, "accounts/settings.html", {"form": form})


def _tokens_page(
    request: AuthenticatedHttpRequest, form: forms.TokenForm, issued: services.IssuedToken | None
) -> HttpResponse:
    base_url = (settings.PUBLIC_URL or request.build_absolute_uri("/")).rstrip("/")
    agent_prompt = prompt.system_prompt(request.user.language, request.user.today())
    page = selectors.tokens_page(user=request.user, base_url=base_url, agent_prompt=agent_prompt)
    setup: list[snippets.Snippet] = []
    if issued is not None:
        setup = snippets.setup(base_url=base_url, token=issued.raw)
    response = render(
        request,
        "accounts/tokens.html",
        {
            "page": page,
            "form": form,
            "issued": issued,
            "setup": setup,
            "mcp_url": snippets.mcp_url(base_url),
        },
    )
    if issued is not None:
        # The one page that holds the token: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _tokens_page(request, forms.TokenForm(user=request.user), None)


@login_required
@require_POST
def create_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.TokenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            issued = services.api_token_create(
                user=request.user,
                ledger=form.cleaned_data.get("ledger"),
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                source="web",
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            # Rendered, not redirected: the raw token must never sit in a session.
            return _tokens_page(request, forms.TokenForm(user=request.user), issued)
    return _tokens_page(request, form, None)


@login_required
@require_POST
def revoke_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, source="web")
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


@login_required
@require_POST
def rotate_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        issued = services.api_token_rotate(token=token, source="web")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("accounts:tokens")
    return _tokens_page(request, forms.TokenForm(user=request.user), issued)


@login_required
@sensitive_post_parameters("password")
@never_cache
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # As many guesses as the login page allows for the same username.
        if throttle.login_throttled(request, request.user.username):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        else:
            try:
                services.account_delete(
                    user=request.user, password=form.cleaned_data["password"], source="web"
                )
            except ValidationError as e:
                form.add_error("password", e)
                status = 400
            else:
                auth.logout(request)
                messages.success(request, _("Your account and everything in it are deleted."))
                return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)
