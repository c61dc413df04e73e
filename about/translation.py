from modeltranslation.translator import TranslationOptions, register

from .models import ContactDetails


@register(ContactDetails)
class ContactDetailsTranslation(TranslationOptions):
    fields = ("organisation", "postal_address", "visiting_address", "note")
