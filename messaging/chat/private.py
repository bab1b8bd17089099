"""A person's own chat with the bot: linking it with a code, then the dialogue."""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from messaging import inbox
from messaging.chat import exchange, phrases, router
from messaging.chat.dialogue import Dialogue
from messaging.chat.exchange import Handled, Inbound, Reply
from messaging.linking import codes, contacts


def respond(inbound: Inbound) -> Handled:
    contact = contacts.contact_for_chat(channel=inbound.channel, chat_id=inbound.chat_id)
    language = (contact.language or contact.user.language) if contact else ""
    with translation.override(language or exchange.language_of(inbound.language)):
        if not inbound.private:
            return Handled([Reply(_("I work in private chats only: write to me directly."))])
        plain = inbound.channel in phrases.PLAIN_CHANNELS
        cmd = (
            router.command(inbound.text, plain=plain)
            if inbound.text and not inbound.edited
            else None
        )
        if cmd is not None and cmd.name in {"start", "link"} and cmd.argument:
            return _link(inbound, cmd.argument)
        if contact is None:
            return Handled([Reply(_how_to_link(inbound.channel))])
        return Dialogue(inbound, contact).respond(cmd)


def _how_to_link(channel: str = "telegram") -> str:
    if channel in phrases.PLAIN_CHANNELS:
        return _(
            "This chat is not linked to Kopilka yet. Open the cabinet, go to Messengers, "
            "press “Link WhatsApp” and send the message it prepares, or send me link and "
            "the code, such as “link ABCD2345”."
        )
    return _(
        "This chat is not linked to Kopilka yet. Open the cabinet, go to Messengers, "
        "press “Link Telegram” and follow the link, or send me /link and the code."
    )


def _link(inbound: Inbound, code: str) -> Handled:
    try:
        contact = codes.link_code_redeem(
            account=inbound.account, code=code, source=exchange.SOURCES[inbound.channel]
        )
    except ValidationError as exc:
        return Handled([Reply(" ".join(exc.messages))])
    with translation.override(contact.language or contact.user.language):
        text = _("Linked to %(user)s. Write what you spent, such as “кофе 250”.") % {
            "user": contact.user.get_username()
        }
        conversation = inbox.conversation_touch(
            user=contact.user, channel=inbound.channel, chat_id=inbound.chat_id
        )
        message = exchange.incoming(conversation, inbound)
        message.action = "link"
        reply = Reply(f"{text}\n\n{phrases.help_text(inbound.channel)}", action="link")
        return Handled(exchange.save(conversation, message, [reply]), contact=contact)
