"""Resetting a forgotten password: a one-time link by e-mail, and the user it names."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from audit.services import audit_record


def password_reset_send(*, email: str, base_url: str) -> int:
    """E-mail a reset link to each active user with a usable password at `email`.

    Returns how many were sent. The caller shows the same page whether or not the
    address is known, so the form does not reveal who has an account.
    """
    sent = 0
    users = User.objects.filter(email__iexact=email.strip(), is_active=True)
    for user in users:
        if not user.has_usable_password():
            continue
        context = {
            "user": user,
            "reset_url": base_url
            + reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            ),
        }
        # Written in the recipient's language, whatever the requester's browser speaks.
        with translation.override(user.language):
            subject = render_to_string("accounts/email/password_reset_subject.txt", context)
            body = render_to_string("accounts/email/password_reset.txt", context)
        send_mail(" ".join(subject.split()), body, None, [user.email])
        audit_record(source="web", action="user.password_reset_sent", user=user, obj=user)
        sent += 1
    return sent


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link names, if the link is genuine and still valid."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None
