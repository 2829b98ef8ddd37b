//! Bot Framework: the activities Teams sends and the invoke response we answer with.

mod activity;
mod invoke_response;

pub use activity::{
    Activity, ActivityType, ActivityValue, AdaptiveCardInvokeValue, ChannelAccount, ConversationAccount, IdName,
    InvokeAction, PersonalScope, TeamsChannelData, Trigger, ADAPTIVE_CARD_ACTION,
};
pub use invoke_response::{InvokeError, InvokeResponse, CARD_TYPE, ERROR_TYPE, MESSAGE_TYPE};
